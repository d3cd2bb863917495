// Progressive enhancement; everything also works without this file (plain GET and POST forms).
// - A facet change is applied at once: the new page is fetched and its results region swapped in,
//   the address is pushed to the history (so Back works) and the result count is announced politely.
// - The shortlist buttons add and remove without leaving the page.
(() => {
  "use strict";
  document.documentElement.classList.add("js");

  // On a narrow screen the long filter list would push the results far down: start it closed.
  document.addEventListener("DOMContentLoaded", () => {
    const panel = document.querySelector(".filter-panel");
    if (panel && window.matchMedia("(max-width: 48rem)").matches) panel.open = false;
  });

  function announce(text) {
    const live = document.getElementById("live");
    if (!live || !text) return;
    live.textContent = "";
    // Screen readers speak a live region when its content changes; clear first so a repeat is spoken too.
    window.setTimeout(() => { live.textContent = text; }, 100);
  }

  const withoutHash = (url) => url.split("#")[0];
  let shownUrl = withoutHash(window.location.href);
  let pending = null;

  function focusAfterSwap(key) {
    if (key) {
      for (const box of document.querySelectorAll('input[type="checkbox"][form="search-form"]')) {
        if (box.name === key.name && box.value === key.value) { box.focus(); return; }
      }
    }
    const heading = document.getElementById("results-heading");
    if (heading && key) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
  }

  // Outside the swapped region, the language switch's links and the shortlist form's way back carry
  // the search too: take them from the fetched page, or a switch of language would drop a new filter.
  function followSearch(doc) {
    const fresh = doc.querySelectorAll(".lang-switch a[href]");
    const links = document.querySelectorAll(".lang-switch a[href]");
    if (fresh.length === links.length) {
      links.forEach((link, i) => link.setAttribute("href", fresh[i].getAttribute("href")));
    }
    const next = doc.querySelector('#shortlist-form input[name="next"]');
    const mine = document.querySelector('#shortlist-form input[name="next"]');
    if (next && mine) mine.value = next.value;
  }

  async function loadSearch(url, push, focusKey) {
    const body = document.getElementById("search-body");
    if (!body) { window.location.assign(url); return; }
    if (pending) pending.abort();
    pending = new AbortController();
    body.setAttribute("aria-busy", "true");
    try {
      const res = await fetch(url, { headers: { Accept: "text/html" }, signal: pending.signal, credentials: "same-origin" });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const doc = new DOMParser().parseFromString(await res.text(), "text/html");
      const freshBody = doc.getElementById("search-body");
      const freshForm = doc.getElementById("search-form");
      const form = document.getElementById("search-form");
      if (!freshBody || !freshForm || !form) throw new Error("unexpected page");
      form.replaceWith(document.adoptNode(freshForm));
      body.replaceWith(document.adoptNode(freshBody));
      document.title = doc.title;
      followSearch(doc);
      if (push) window.history.pushState({ search: true }, "", url);
      shownUrl = withoutHash(url);
      focusAfterSwap(focusKey);
      announce(freshBody.dataset.announce);
      // On a phone the results are far below the filters: offer the way there after a tap.
      const show = document.querySelector(".show-results");
      if (show && focusKey && window.matchMedia("(max-width: 48rem)").matches) show.hidden = false;
    } catch (err) {
      if (err.name === "AbortError") return;
      window.location.assign(url); // fall back to an ordinary page load
    } finally {
      const current = document.getElementById("search-body");
      if (current) current.removeAttribute("aria-busy");
    }
  }

  function searchUrl(form) {
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (key === "q" && !String(value).trim()) continue;
      params.append(key, value);
    }
    const query = params.toString();
    return withoutHash(form.action).split("?")[0] + (query ? `?${query}` : "");
  }

  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || box.getAttribute("form") !== "search-form") return;
    const form = document.getElementById("search-form");
    if (!form) return;
    loadSearch(searchUrl(form), true, { name: box.name, value: box.value });
  });

  window.addEventListener("popstate", () => {
    if (!document.getElementById("search-body")) return;
    const url = withoutHash(window.location.href);
    if (url === shownUrl) return; // only the #fragment changed (e.g. the skip link)
    loadSearch(url, false, null);
  });

  // --- shortlist ---------------------------------------------------------------------------
  function showListed(slug, listed) {
    for (const btn of document.querySelectorAll("button.sl-toggle")) {
      if (btn.value !== slug) continue;
      btn.classList.toggle("listed", listed);
      btn.formAction = listed ? btn.dataset.remove : btn.dataset.add;
      btn.querySelector(".sl-text").textContent = listed ? btn.dataset.listedText : btn.dataset.unlistedText;
      btn.querySelector(".sl-icon").textContent = listed ? "★" : "☆";
      btn.setAttribute("aria-pressed", listed ? "true" : "false");
    }
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    const btn = event.submitter;
    if (form.id !== "shortlist-form" || !btn || !btn.classList.contains("sl-toggle")) return;
    event.preventDefault();
    const data = new FormData(form);
    data.set("slug", btn.value);
    try {
      const res = await fetch(btn.formAction, { method: "POST", body: data, credentials: "same-origin",
                                                headers: { Accept: "application/json" } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const state = await res.json();
      showListed(btn.value, state.listed);
      const count = document.getElementById("shortlist-count");
      if (count) count.textContent = String(state.count);
      const title = btn.querySelector(".visually-hidden")?.textContent.replace(/^:\s*/, "") || "";
      announce(state.message || `${state.listed ? form.dataset.added : form.dataset.removed}: ${title}`);
    } catch (err) {
      // Let the server handle it as without JavaScript (it redirects back here).
      const slug = document.createElement("input");
      slug.type = "hidden"; slug.name = "slug"; slug.value = btn.value;
      form.append(slug);
      form.action = btn.formAction;
      form.submit();
    }
  });
})();
