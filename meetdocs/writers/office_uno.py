"""LibreOffice's side of the office step, run by the system Python.

Not imported by the package: ``office.py`` runs this file with ``/usr/bin/python3``,
the Python that Debian's python3-uno gives the ``uno`` module (the build's own
virtual environment cannot import it).  It connects to the headless soffice that
``office.py`` started, then answers one JSON request per line on stdin with one
JSON line on stdout:

    {"load": "/tmp/x.docx", "odt": "/tmp/x.odt" or null, "pdf": "/tmp/x.pdf" or null}
    → {"pages": {"_Toc...": 4, ...}, "count": 9}  or  {"error": "..."}

``pages`` holds the page on which each ``_Toc`` bookmark (one per heading, set by
``toc.py``) is laid out, read from LibreOffice's own layout through the view cursor.
"""

import json
import sys
import time

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def props(**values):
    result = []
    for name, value in values.items():
        prop = PropertyValue()
        prop.Name, prop.Value = name, value
        result.append(prop)
    return tuple(result)


def connect(pipe: str, seconds: float):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;"
                                    "StarOffice.ComponentContext")
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def bookmark_pages(document) -> dict:
    cursor = document.getCurrentController().getViewCursor()
    bookmarks = document.getBookmarks()
    pages = {}
    for name in bookmarks.getElementNames():
        if name.startswith("_Toc"):
            cursor.gotoRange(bookmarks.getByName(name).getAnchor().getStart(), False)
            pages[name] = cursor.getPage()
    return pages


def warm(desktop) -> None:
    """Lay out one line of text in a new document: Writer and the font list load
    now, while the build renders the PDF, instead of in the first report's time."""
    document = desktop.loadComponentFromURL("private:factory/swriter", "_blank", 0,
                                            props(Hidden=True))
    try:
        document.getText().setString("出國報告 Report")
        document.getCurrentController().getViewCursor().getPage()
    finally:
        document.close(True)


def handle(desktop, request: dict) -> dict:
    document = desktop.loadComponentFromURL(uno.systemPathToFileUrl(request["load"]),
                                            "_blank", 0, props(Hidden=True))
    try:
        pages = bookmark_pages(document)
        count = document.getCurrentController().PageCount
        if request.get("odt"):
            document.storeToURL(uno.systemPathToFileUrl(request["odt"]),
                                props(FilterName="writer8"))
        if request.get("pdf"):
            document.storeToURL(uno.systemPathToFileUrl(request["pdf"]),
                                props(FilterName="writer_pdf_Export"))
        return {"pages": pages, "count": count}
    finally:
        document.close(True)


def main():
    pipe, seconds = sys.argv[1], float(sys.argv[2])
    context = connect(pipe, seconds)
    desktop = context.ServiceManager.createInstanceWithContext(
        "com.sun.star.frame.Desktop", context)
    warm(desktop)
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        try:
            answer = handle(desktop, json.loads(line))
        except Exception as exc:  # noqa: BLE001 - reported to office.py, which raises
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        print(json.dumps(answer), flush=True)
    try:  # end of input: the build is done with this LibreOffice
        desktop.terminate()
    except Exception:  # noqa: BLE001 - terminate() drops the connection it came on
        pass


if __name__ == "__main__":
    main()
