"""Read a page's forms the way a browser submits them: what a person sends back when they press
Save without touching anything."""

from __future__ import annotations

from html.parser import HTMLParser


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._option: dict | None = None
        self._textarea: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"attrs": a, "fields": []}
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input":
            kind = a.get("type", "text")
            if "name" not in a or kind in ("submit", "button", "file", "reset", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            fields.append((a["name"], a.get("value", "on" if kind in ("checkbox", "radio") else "")))
        elif tag == "select":
            self._select, self._select_first, self._select_chosen = a.get("name"), None, False
        elif tag == "option" and self._select:
            self._option = a
            self._text = []
        elif tag == "textarea":
            self._textarea = a.get("name")
            self._text = []

    def handle_data(self, data):
        if self._option is not None or self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "option" and self._option is not None:
            value = self._option.get("value", "".join(self._text).strip())
            if self._select_first is None:
                self._select_first = value
            if "selected" in self._option:
                fields.append((self._select, value))
                self._select_chosen = True
            self._option = None
        elif tag == "select" and self._select:
            if not self._select_chosen and self._select_first is not None:
                fields.append((self._select, self._select_first))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            fields.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def form_data(html: str, **match: str) -> dict[str, list[str]]:
    """The fields the first form whose attributes match (e.g. id="goal-form") would submit."""
    for form in forms_of(html):
        if all(form["attrs"].get(k) == v for k, v in match.items()):
            data: dict[str, list[str]] = {}
            for name, value in form["fields"]:
                data.setdefault(name, []).append(value)
            return data
    raise AssertionError(f"no form with {match}")


class _Texts(HTMLParser):
    """The text inside every element that has an id, and every form control's attributes."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "col", "wbr", "area", "base"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str | None] = []
        self.texts: dict[str, list[str]] = {}
        self.controls: list[tuple[str, dict[str, str], str | None]] = []  # tag, attrs, form action
        self._action: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._action = a.get("action", "")
        if tag in ("input", "select", "textarea") and "name" in a:
            self.controls.append((tag, a, self._action))
        if tag in self.VOID:
            return
        self.stack.append(a.get("id"))
        if a.get("id"):
            self.texts.setdefault(a["id"], [])

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None
        if tag in self.VOID or not self.stack:
            return
        self.stack.pop()

    def handle_data(self, data):
        for element_id in self.stack:
            if element_id:
                self.texts[element_id].append(data)


def field_errors(html: str, name: str, *, action: str | None = None) -> str:
    """The error text announced with the control named `name` (the elements its aria-describedby
    points to), in the form posting to `action` if given. "" when it has none. The control must say
    it is invalid (aria-invalid) for the error to count."""
    parser = _Texts()
    parser.feed(html)
    for _tag, attrs, form_action in parser.controls:
        if attrs.get("name") != name or (action is not None and form_action != action):
            continue
        if attrs.get("aria-invalid") != "true":
            return ""
        ids = attrs.get("aria-describedby", "").split()
        return " ".join("".join(parser.texts.get(i, [])).strip() for i in ids if i.endswith("error")).strip()
    raise AssertionError(
        f"no control named {name!r}" + (f" in the form posting to {action}" if action else "")
    )
