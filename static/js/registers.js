/* The registers' filters, improved where JavaScript runs (everything works without it):
   - on a wide screen the filter panel is unfolded, as there is room beside the results;
   - a long list of options (the organisations) gets a box that narrows it as one types. */
(function () {
  "use strict";

  var panel = document.querySelector("details.filter-panel");
  if (panel && window.matchMedia("(min-width: 60rem)").matches) {
    panel.open = true;
  }

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  document.querySelectorAll("fieldset[data-narrow]").forEach(function (fieldset, index) {
    var list = fieldset.querySelector("ul.options");
    if (!list) {
      return;
    }
    var label = document.createElement("label");
    var input = document.createElement("input");
    label.className = "narrow";
    label.htmlFor = input.id = "narrow-" + index;
    label.textContent = fieldset.getAttribute("data-narrow");
    input.type = "search";
    input.autocomplete = "off";
    var items = Array.prototype.map.call(list.children, function (item) {
      return [item, fold(item.textContent)];
    });
    input.addEventListener("input", function () {
      var wanted = fold(input.value.trim());
      items.forEach(function (pair) {
        pair[0].hidden = wanted !== "" && pair[1].indexOf(wanted) === -1;
      });
    });
    list.parentNode.insertBefore(label, list);
    list.parentNode.insertBefore(input, list);
  });
})();
