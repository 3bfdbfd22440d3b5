// The receipt's page is as long as the receipt: measured once laid out, so that a roll printer
// neither feeds blank paper nor splits the receipt over two pages. The server's estimate in
// the page's own @page rule stands when scripts do not run.
(function () {
  "use strict";
  var body = document.body;
  function fitPage() {
    var receipt = document.getElementById("receipt");
    var contentMm = receipt.getBoundingClientRect().height * 25.4 / 96;
    var heightMm = Math.ceil(contentMm + 2 * Number(body.dataset.marginMm) + 6);
    var style = document.createElement("style");
    style.textContent = "@page { size: " + body.dataset.widthMm + "mm " + heightMm + "mm; }";
    document.head.appendChild(style);
  }
  document.getElementById("print").addEventListener("click", function () { window.print(); });
  if (document.readyState === "complete") {
    fitPage();
  } else {
    window.addEventListener("load", fitPage);
  }
})();
