// Applies facet changes at once; without JavaScript the "Apply filters" button does the same.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("search-form");
  if (!form) return;
  form.addEventListener("change", (event) => {
    if (event.target.matches('.facets input[type="checkbox"]')) form.requestSubmit();
  });
});
