// Top-bar groups are <details> menus: one open at a time, closed by a click elsewhere or Escape.
document.addEventListener("click", (event) => {
  for (const open of document.querySelectorAll("details.navgroup[open]")) {
    if (!open.contains(event.target)) open.removeAttribute("open");
  }
});
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const open of document.querySelectorAll("details.navgroup[open]")) {
    open.removeAttribute("open");
    open.querySelector("summary")?.focus();
  }
});
