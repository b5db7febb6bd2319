// Live help on forms: the ID number is checked by the server as it is typed (same rules as on
// saving), and the income form shows the per-capita net income before it is saved, with a
// warning while it is under that year's monitoring threshold.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("[data-id-check]")) {
    const message = input.parentElement.querySelector("[data-id-message]");
    let timer;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const value = input.value.trim();
      if (value.length < 18) { message.textContent = ""; input.removeAttribute("aria-invalid"); return; }
      timer = setTimeout(async () => {
        // POST, so the number never lands in a URL, an access log or the browser history.
        const token = input.form.querySelector("[name=csrfmiddlewaretoken]").value;
        const answer = await fetch("/check/id-number/", {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ value }),
        });
        const text = answer.ok ? await answer.text() : "";
        message.textContent = text;
        if (text) input.setAttribute("aria-invalid", "true"); else input.setAttribute("aria-invalid", "false");
      }, 250);
    });
  }
  for (const form of document.querySelectorAll("form[data-income]")) {
    const size = Number(form.dataset.size) || 0;
    const field = (name) => Number((form.elements[name]?.value || "0").replace(/,/g, "")) || 0;
    const kinds = ["wage", "business", "property", "transfer_family_planning", "transfer_dibao", "transfer_tekun",
      "transfer_pension", "transfer_eco", "transfer_other"];
    // {year: [line, sentence]} from the server: the monitoring threshold of each year (the poverty
    // line in the years before monitoring), looked up as screening and the case rules do.
    let lines = {};
    try { lines = JSON.parse(form.dataset.lines || "{}"); } catch { lines = {}; }
    const warning = form.querySelector("[data-income-warning]");
    const update = () => {
      const total = kinds.reduce((sum, name) => sum + field(name), 0);
      const net = size ? (total - field("business_costs")) / size : null;
      form.querySelector("[data-total]").textContent = total.toFixed(2);
      form.querySelector("[data-net]").textContent = net === null ? "—" : net.toFixed(2);
      if (!warning) return;
      const line = lines[(form.elements.year?.value || "").trim()];
      // Not on an empty form: an income nobody has entered yet is not an income under the line.
      const entered = [...kinds, "business_costs"].some((name) => (form.elements[name]?.value || "").trim());
      // Compared in fen, as the server rounds the figure before it compares: no float edge cases.
      const under = entered && net !== null && line && Math.round(net * 100) < Math.round(Number(line[0]) * 100);
      warning.textContent = under ? line[1] : "";
      warning.hidden = !under;
      form.toggleAttribute("data-under-line", Boolean(under));
    };
    form.addEventListener("input", update);
    update();
  }
});

// A refusal that says why in a sentence (a limit reached: 429) is shown where the answer
// would have gone; htmx by default swaps nothing on an error status and the click looks dead.
// So is a form refused with its messages (400, 409) when the form says it answers with itself
// (data-swap-errors): the grade form of the yearly assessment shows its errors in place.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  // requestConfig.elt is the form that asked; detail.elt is the element being replaced.
  const asker = event.detail.requestConfig && event.detail.requestConfig.elt;
  const inPlace = (status === 400 || status === 409) && asker && asker.closest("[data-swap-errors]");
  if (status === 429 || inPlace) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});

// A filter that applies as soon as it is chosen (data-autosubmit): a listener here rather than an
// onchange attribute, which the Content-Security-Policy refuses like any inline script.
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field instanceof HTMLElement && field.matches("[data-autosubmit]") && field.form) field.form.submit();
});
