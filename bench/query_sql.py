"""The hand-written SQL the inbox benchmark compares the GraphQL queries with."""

# The same rows as THREADS, read by hand: the page, its last messages and numbers, one query.
THREADS_SQL = """
SELECT t.id, t.counterpart, t.channel, t.message_count, t.unread_count, t.last_message_at,
       m.id AS message_id, m.body, m.direction, m.status, m.created_at,
       n.id AS number_id, n.phone_number
FROM thread t
LEFT JOIN message m ON m.id = t.last_message_id
JOIN phone_number n ON n.id = t.number_id
WHERE t.tenant_id = $1
ORDER BY t.last_message_at DESC, t.id DESC
LIMIT $2
"""

MESSAGES_SQL = """
SELECT id, sid, body, direction, status, from_address, to_address, created_at
FROM message
WHERE tenant_id = $1 AND counterpart = $2
ORDER BY created_at DESC, id DESC
LIMIT $3
"""

# The same rows as CALLS, read by hand: the page of calls, joined to their numbers and to their
# recordings (oldest first), one query. A call with several recordings is one row per
# recording, a call with none one row (recording columns null): the page is its distinct ids.
CALLS_SQL = """
WITH page AS (
  SELECT id, created_at, price, price_unit, started_at, ended_at, user_id, answered_by, number_id
  FROM call
  WHERE tenant_id = $1
  ORDER BY created_at DESC, id DESC
  LIMIT $2
)
SELECT p.id, p.price, p.price_unit, p.started_at, p.ended_at, p.user_id, p.answered_by,
       n.id AS number_id, n.phone_number,
       r.id AS recording_id, r.status AS recording_status, r.duration AS recording_duration
FROM page p
LEFT JOIN phone_number n ON n.id = p.number_id
LEFT JOIN recording r ON r.call_id = p.id AND r.tenant_id = $1
ORDER BY p.created_at DESC, p.id DESC, r.created_at, r.id
"""
