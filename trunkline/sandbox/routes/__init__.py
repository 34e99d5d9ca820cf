"""The sandbox's HTTP surface: Twilio's REST API under ``/twilio`` and the control API."""
