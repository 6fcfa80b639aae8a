/* Video consultations and mediation sessions: ask the server for a Twilio access token, join the room, show the
   cameras. */
(function () {
  "use strict";
  const root = document.getElementById("video-consult");
  if (!root) { return; }
  const text = root.dataset;
  const status = document.getElementById("video-status");
  const joinButton = document.getElementById("video-join");
  const leaveButton = document.getElementById("video-leave");
  const localPane = document.getElementById("video-local");
  const remotePane = document.getElementById("video-remote");
  let room = null;

  function say(message) {
    status.textContent = message;
  }

  // Identities are "<role>-<id>" (lawyer, liaison; mediator, party, staff in a mediation session); the page names
  // each role it expects in a data attribute.
  const ROLES = ["lawyer", "liaison", "mediator", "party", "staff"];

  function who(identity) {
    const role = identity.split("-")[0];
    return ROLES.includes(role) && text[role] ? text[role] : text.other;
  }

  function showJoined(joined) {
    joinButton.classList.toggle("hidden", joined);
    leaveButton.classList.toggle("hidden", !joined);
    joinButton.disabled = false;
  }

  // The server's own message (already in the user's language) when it refuses, e.g. 503 without Twilio.
  class ServerRefused extends Error {}

  async function fetchToken() {
    const response = await fetch(text.tokenUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": text.csrf, "Accept": "application/json"},
    });
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    if (!response.ok || data.error || !data.token || !data.room) {
      throw new ServerRefused(data.error || text.failed);
    }
    return data;
  }

  function attach(track, pane) {
    if (track.kind !== "audio" && track.kind !== "video") { return; }
    const element = track.attach();
    element.style.maxWidth = "100%";
    pane.appendChild(element);
  }

  function detach(track) {
    if (typeof track.detach === "function") {
      track.detach().forEach((element) => element.remove());
    }
  }

  function showParticipant(participant) {
    participant.tracks.forEach((publication) => {
      if (publication.track) { attach(publication.track, remotePane); }
    });
    participant.on("trackSubscribed", (track) => attach(track, remotePane));
    participant.on("trackUnsubscribed", detach);
  }

  function hideParticipant(participant) {
    participant.tracks.forEach((publication) => {
      if (publication.track) { detach(publication.track); }
    });
  }

  function leftRoom(left, error) {
    left.localParticipant.tracks.forEach((publication) => {
      if (publication.track) {
        if (typeof publication.track.stop === "function") { publication.track.stop(); }
        detach(publication.track);
      }
    });
    left.participants.forEach(hideParticipant);
    localPane.textContent = "";
    remotePane.textContent = "";
    room = null;
    showJoined(false);
    say(error ? text.failed + " (" + error.message + ")" : text.left);
  }

  function enterRoom(joined) {
    room = joined;
    showJoined(true);
    // Only our own video is shown locally; playing our own audio back would echo.
    joined.localParticipant.videoTracks.forEach((publication) => attach(publication.track, localPane));
    joined.participants.forEach(showParticipant);
    say(joined.participants.size ? text.joined.replace("{who}", who([...joined.participants.values()][0].identity))
                                 : text.waiting);
    joined.on("participantConnected", (participant) => {
      showParticipant(participant);
      say(text.joined.replace("{who}", who(participant.identity)));
    });
    joined.on("participantDisconnected", (participant) => {
      hideParticipant(participant);
      say(text.gone.replace("{who}", who(participant.identity)));
    });
    joined.on("disconnected", leftRoom);
  }

  async function join() {
    if (typeof Twilio === "undefined" || !Twilio.Video || !Twilio.Video.isSupported) {
      say(text.unsupported);
      return;
    }
    joinButton.disabled = true;
    say(text.connecting);
    try {
      const access = await fetchToken();
      enterRoom(await Twilio.Video.connect(access.token, {name: access.room, audio: true, video: {width: 640}}));
    } catch (error) {
      joinButton.disabled = false;
      const detail = error && error.message ? " (" + error.message + ")" : "";
      say(error instanceof ServerRefused ? error.message : text.failed + detail);
    }
  }

  joinButton.addEventListener("click", join);
  leaveButton.addEventListener("click", () => { if (room) { room.disconnect(); } });
  // Closing the tab leaves the room at once instead of after Twilio's timeout.
  window.addEventListener("pagehide", () => { if (room) { room.disconnect(); } });
})();
