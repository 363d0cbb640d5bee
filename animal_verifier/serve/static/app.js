// The page of `animal-verifier serve`: send a photo and a sentence to POST /v1/verify, show the answer.
// Plain JavaScript, no libraries and nothing loaded from elsewhere.
"use strict";

const $ = (id) => document.getElementById(id);
const VERDICT_MARK = { supported: "✓", contradicted: "✗", unverifiable: "?" };
let photo = null; // the File (or Blob) to send
let previewUrl = null;
let maxUploadBytes = null;
const KEY_STORE = "animal-verifier-api-key";
let apiKey = sessionStorage.getItem(KEY_STORE); // only when the server asks for one (401)

function authHeaders() {
  return apiKey ? { Authorization: `Bearer ${apiKey}` } : {};
}

// The server wants a key (it answered 401): ask for one, and say why when a key was already sent.
function askForKey(rejected) {
  $("key-form").hidden = false;
  if (rejected) showError("The server did not accept that API key. Enter a valid one.");
  $("api-key").focus();
}

function percent(p) {
  return p === null || p === undefined ? "n/a" : `${(100 * p).toFixed(p >= 0.1 ? 0 : 1)}%`;
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

function setPhoto(file) {
  clearError();
  if (!file) return;
  if (file.type && !file.type.startsWith("image/")) {
    showError(`"${file.name}" is not an image (${file.type}). Choose a photo.`);
    return;
  }
  if (maxUploadBytes && file.size > maxUploadBytes) {
    const mb = (n) => (n / 1024 / 1024).toFixed(1);
    showError(`The photo is ${mb(file.size)} MB; the limit is ${mb(maxUploadBytes)} MB.`);
    return;
  }
  photo = file;
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(file);
  const preview = $("preview");
  preview.src = previewUrl;
  preview.alt = `Preview of ${file.name || "the pasted photo"}`;
  preview.hidden = false;
  const strong = document.createElement("strong");
  strong.textContent = "Change the photo";
  $("drop-text").replaceChildren(strong, ` (${file.name || "pasted image"})`);
}

// The sentence with each mention highlighted. Offsets count Unicode code points (Python's str), so
// index an array of code points, not the UTF-16 string.
function renderSentence(text, entities) {
  const target = $("sentence");
  target.replaceChildren();
  const chars = Array.from(text);
  let at = 0;
  for (const e of [...entities].sort((a, b) => a.start - b.start)) {
    if (e.start < at) continue;
    target.append(chars.slice(at, e.start).join(""));
    const mark = document.createElement("mark");
    mark.className = e.negated ? "mention negated" : "mention";
    mark.textContent = chars.slice(e.start, e.end).join("");
    const about = e.canonical ? `${e.canonical} (WordNet ${e.wordnet_id})` : "not in the animal lexicon";
    mark.title = e.negated ? `negated: ${about}` : about;
    if (e.negated) {
      const tag = document.createElement("span");
      tag.className = "tag";
      tag.textContent = "not";
      mark.append(" ", tag);
    }
    target.append(mark);
    at = e.end;
  }
  target.append(chars.slice(at).join(""));
  if (!entities.length) {
    const none = document.createElement("span");
    none.className = "hint";
    none.textContent = " (no animal named)";
    target.append(none);
  }
}

function renderSeen(result) {
  const seen = $("seen");
  seen.replaceChildren();
  const strong = document.createElement("strong");
  if (result.predicted_level === "unsure") {
    strong.textContent = "not sure there is an animal";
    seen.append("The model is ", strong);
  } else if (result.ood === "near-ood") {
    strong.textContent = result.predicted || "an animal";
    seen.append("An animal the model cannot name; it is sure only of: ", strong);
  } else if (result.predicted) {
    strong.textContent = result.predicted;
    seen.append("The photo shows a ", strong);
    if (result.fine_label && result.fine_label !== result.predicted) {
      seen.append(` (the model's class: ${result.fine_label})`);
    }
  } else {
    strong.textContent = "no animal";
    seen.append("The model sees ", strong);
    if (result.ood === "far-ood") seen.append(" (or the image is not a photo)");
  }
  seen.append(`; probability of an animal: ${percent(result.animal_probability)}.`);
  seen.dataset.ood = result.ood || "";

  const list = $("top5");
  list.replaceChildren();
  for (const c of result.top5) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    name.textContent = c.label;
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.setAttribute("aria-hidden", "true");
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.width = `${Math.max(0.5, 100 * c.probability)}%`;
    bar.append(fill);
    const value = document.createElement("span");
    value.className = "value";
    value.textContent = percent(c.probability);
    li.append(name, bar, value);
    list.append(li);
  }
}

function renderClaims(claims) {
  const list = $("claims");
  list.replaceChildren();
  for (const c of claims) {
    const li = document.createElement("li");
    li.className = `claim ${c.verdict}`;
    const badge = document.createElement("span");
    badge.className = "badge";
    badge.textContent = `${VERDICT_MARK[c.verdict] || ""} ${c.verdict}`;
    const what = document.createElement("strong");
    what.textContent = c.negated ? `no ${c.animal}` : c.animal;
    const reason = document.createElement("span");
    reason.className = "claim-reason";
    reason.textContent = c.reason;
    li.append(badge, " ", what, ": ", reason);
    list.append(li);
  }
  if (!claims.length) {
    const li = document.createElement("li");
    li.className = "hint";
    li.textContent = "No claim to check.";
    list.append(li);
  }
}

function render(result) {
  const verdict = $("verdict");
  // match null: no claim contradicted, some the photo can't settle ("not sure")
  const outcome = result.match === true ? "true" : result.match === false ? "false" : "unchecked";
  verdict.className = `verdict ${outcome}`;
  verdict.textContent = { true: "✓ True", false: "✗ False", unchecked: "? Not sure" }[outcome];
  $("reason").textContent = result.reason || "";
  renderSentence(result.text, result.entities);
  renderSeen(result);
  renderClaims(result.claims);
  const m = result.model;
  $("meta").textContent = `Checked in ${Math.round(result.elapsed_ms)} ms by ${m.name} ${m.version}` +
    (m.image_model ? ` with ${m.image_model}.` : ".");
  $("result").hidden = false;
  verdict.focus();
}

async function submit(event) {
  event.preventDefault();
  clearError();
  const text = $("text").value;
  if (!photo) {
    showError("Choose a photo first.");
    $("image").focus();
    return;
  }
  if (!text.trim()) {
    showError("Write a sentence about the photo.");
    $("text").focus();
    return;
  }
  const body = new FormData();
  body.append("text", text);
  body.append("image", photo, photo.name || "photo");
  const button = $("submit");
  button.disabled = true;
  button.textContent = "Checking…";
  $("form").setAttribute("aria-busy", "true");
  try {
    const response = await fetch("/v1/verify", { method: "POST", body, headers: authHeaders() });
    let answer = null;
    try {
      answer = await response.json();
    } catch {
      answer = null;
    }
    if (response.status === 401) {
      askForKey(Boolean(apiKey));
      if (!apiKey) showError("This server needs an API key: enter it above, then check again.");
      $("result").hidden = true;
      return;
    }
    if (!response.ok) {
      const detail = answer && answer.detail ? answer.detail : `the server answered ${response.status}`;
      const id = answer && answer.id ? ` (error id ${answer.id})` : "";
      showError(`Could not check: ${detail}${id}.`);
      $("result").hidden = true;
      return;
    }
    render(answer);
  } catch (err) {
    showError(`Could not reach the server (${err.message}).`);
  } finally {
    button.disabled = false;
    button.textContent = "Check";
    $("form").removeAttribute("aria-busy");
  }
}

function setUp() {
  const drop = $("drop");
  $("image").addEventListener("change", (e) => setPhoto(e.target.files[0]));
  // TIFF, or a file that isn't what it claims: no preview, but the server still gets to judge it.
  $("preview").addEventListener("error", () => {
    if ($("preview").getAttribute("src")) $("preview").hidden = true;
  });
  for (const name of ["dragenter", "dragover"]) {
    drop.addEventListener(name, (e) => {
      e.preventDefault();
      drop.classList.add("over");
    });
  }
  for (const name of ["dragleave", "drop"]) {
    drop.addEventListener(name, () => drop.classList.remove("over"));
  }
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    setPhoto(e.dataTransfer.files[0]);
  });
  document.addEventListener("paste", (e) => {
    const file = [...(e.clipboardData?.files || [])].find((f) => f.type.startsWith("image/"));
    if (file) setPhoto(file);
  });
  $("form").addEventListener("submit", submit);
  $("key-form").addEventListener("submit", (e) => {
    e.preventDefault();
    clearError();
    apiKey = $("api-key").value.trim() || null;
    if (apiKey) sessionStorage.setItem(KEY_STORE, apiKey);
    else sessionStorage.removeItem(KEY_STORE);
    loadModelInfo();
  });
  loadModelInfo();
}

function loadModelInfo() {
  fetch("/v1/model", { headers: authHeaders() })
    .then((r) => {
      if (r.status === 401) {
        askForKey(Boolean(apiKey));
        return Promise.reject(new Error("key"));
      }
      return r.ok ? r.json() : Promise.reject(new Error(`status ${r.status}`));
    })
    .then((info) => {
      $("key-form").hidden = true; // no key needed, or the one given works
      maxUploadBytes = info.limits.max_upload_bytes;
      $("text").maxLength = info.limits.max_text_chars;
      const m = info.model;
      $("model").textContent = `Model: ${m.name} ${m.version}` + (m.image_model ? `, ${m.image_model}` : "");
    })
    .catch((err) => {
      $("model").textContent = err.message === "key"
        ? "Enter the API key to use this server."
        : "The model is still loading; checks will work once it is ready.";
    });
}

setUp();
