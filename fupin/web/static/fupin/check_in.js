// The place goes with the check-in only if the phone can tell it and the user allows it; the
// check-in never waits more than a few seconds for it, and works without this script at all.
(() => {
  const form = document.querySelector("form[data-check-in]");
  const box = form && form.querySelector("[data-geo]");
  if (!form || !box || !("geolocation" in navigator)) return;
  box.hidden = false;
  let sending = false;
  form.addEventListener("submit", (event) => {
    if (sending) { event.preventDefault(); return; }
    const wanted = form.elements.use_location && form.elements.use_location.checked;
    if (!wanted) { sending = true; return; }
    event.preventDefault();
    sending = true;
    form.querySelector("button[type=submit]").disabled = true;
    let done = false;
    const send = () => { if (!done) { done = true; form.submit(); } };
    setTimeout(send, 8000);
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        form.elements.latitude.value = pos.coords.latitude.toFixed(6);
        form.elements.longitude.value = pos.coords.longitude.toFixed(6);
        send();
      },
      send,
      { enableHighAccuracy: true, timeout: 6000, maximumAge: 60000 },
    );
  });
})();
