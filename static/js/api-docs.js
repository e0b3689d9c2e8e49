// Shows the API's OpenAPI document with Swagger UI (served by the site from drf-spectacular-sidecar).
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var element = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: element.dataset.schemaUrl,
    domNode: element,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    supportedSubmitMethods: ["get", "head"],
  });
});
