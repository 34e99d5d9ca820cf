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
