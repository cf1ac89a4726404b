// The live preview's reload script (build.py serve), served as a file: the
// preview's Content-Security-Policy runs no inline script.  The page carries the
// token of the version it shows; EventSource reconnects by itself after the server
// restarts, and the token names the server's start too, so a page shown by an
// earlier run reloads then as well.
(function () {
  var shown = document.currentScript.dataset.token;
  var events = new EventSource("/__events");
  events.onmessage = function (event) {
    if (event.data !== shown) { events.close(); location.reload(); }
  };
})();
