"""Versioned SQLite schema. Append a new entry to add a version; never edit a released one.

``PRAGMA user_version`` holds how many entries ran. PostgreSQL has its own list with the same
numbering (``bot/storage/pg_migrations.py``): version N means the same schema on both, so a
change here gets its equivalent there.
"""

MIGRATIONS: list[str] = [
    # 1: the v1 schema. Instants are UTC unix seconds.
    """
    CREATE TABLE users (
        user_id          INTEGER PRIMARY KEY,
        first_name       TEXT NOT NULL DEFAULT '',
        username         TEXT,
        timezone         TEXT NOT NULL,
        delivery_time    TEXT NOT NULL,
        couple_id        INTEGER REFERENCES couples(id) ON DELETE SET NULL,
        next_day         INTEGER NOT NULL DEFAULT 1,
        next_delivery_at INTEGER,
        last_slot_at     INTEGER,
        blocked          INTEGER NOT NULL DEFAULT 0,
        created_at       INTEGER NOT NULL
    );
    CREATE INDEX users_due ON users(next_delivery_at) WHERE next_delivery_at IS NOT NULL;

    CREATE TABLE couples (
        id          INTEGER PRIMARY KEY,
        user_a      INTEGER NOT NULL,
        user_b      INTEGER NOT NULL,
        status      TEXT NOT NULL CHECK (status IN ('active', 'paused', 'completed', 'ended')),
        round       INTEGER NOT NULL DEFAULT 1,
        paused_by   INTEGER,
        started_at  INTEGER NOT NULL,
        ended_at    INTEGER
    );

    CREATE TABLE invites (
        code        TEXT PRIMARY KEY,
        inviter_id  INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        used_at     INTEGER,
        used_by     INTEGER
    );
    CREATE INDEX invites_inviter ON invites(inviter_id);

    CREATE TABLE days (
        couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
        round       INTEGER NOT NULL,
        day         INTEGER NOT NULL,
        prompt_id   TEXT NOT NULL,
        revealed_at INTEGER,
        PRIMARY KEY (couple_id, round, day)
    );

    CREATE TABLE deliveries (
        user_id      INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        couple_id    INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
        round        INTEGER NOT NULL,
        day          INTEGER NOT NULL,
        slot_at      INTEGER NOT NULL,
        delivered_at INTEGER NOT NULL,
        remind_at    INTEGER,
        nudged_at    INTEGER,
        PRIMARY KEY (user_id, couple_id, round, day)
    );
    CREATE INDEX deliveries_remind ON deliveries(remind_at) WHERE remind_at IS NOT NULL;

    CREATE TABLE answers (
        couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
        round       INTEGER NOT NULL,
        day         INTEGER NOT NULL,
        user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        kind        TEXT NOT NULL CHECK (kind IN ('text', 'voice', 'photo')),
        text        TEXT,
        file_id     TEXT,
        message_id  INTEGER,
        created_at  INTEGER NOT NULL,
        updated_at  INTEGER NOT NULL,
        PRIMARY KEY (couple_id, round, day, user_id)
    );
    CREATE INDEX answers_message ON answers(user_id, message_id);

    CREATE TABLE outbox (
        id          INTEGER PRIMARY KEY,
        key         TEXT NOT NULL UNIQUE,
        chat_id     INTEGER NOT NULL,
        kind        TEXT NOT NULL,
        method      TEXT NOT NULL,
        payload     TEXT NOT NULL,
        priority    INTEGER NOT NULL,
        not_before  INTEGER NOT NULL,
        status      TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
        attempts    INTEGER NOT NULL DEFAULT 0,
        last_error  TEXT,
        ref         TEXT,
        message_id  INTEGER,
        created_at  INTEGER NOT NULL,
        sent_at     INTEGER
    );
    CREATE INDEX outbox_pending ON outbox(priority, not_before, id) WHERE status = 'pending';
    CREATE INDEX outbox_message ON outbox(chat_id, message_id) WHERE message_id IS NOT NULL;

    CREATE TABLE tip_views (
        user_id  INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        tip_id   TEXT NOT NULL,
        seen_at  INTEGER NOT NULL,
        PRIMARY KEY (user_id, tip_id)
    );

    CREATE TABLE group_notices (
        chat_id  INTEGER PRIMARY KEY,
        at       INTEGER NOT NULL
    );
    """,
    # 2: content features: swapped prompts, private self-checks, the opt-in intimacy track.
    """
    CREATE TABLE swaps (
        couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
        round       INTEGER NOT NULL,
        day         INTEGER NOT NULL,
        user_id     INTEGER NOT NULL,
        from_prompt TEXT NOT NULL,
        to_prompt   TEXT NOT NULL,
        at          INTEGER NOT NULL,
        PRIMARY KEY (couple_id, round, day)
    );

    CREATE TABLE checkins (
        id          INTEGER PRIMARY KEY,
        user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        couple_id   INTEGER REFERENCES couples(id) ON DELETE SET NULL,
        round       INTEGER NOT NULL DEFAULT 0,
        slot        INTEGER NOT NULL DEFAULT 0,
        scores      TEXT NOT NULL DEFAULT '{}',
        started_at  INTEGER NOT NULL,
        finished_at INTEGER,
        shared_at   INTEGER
    );
    CREATE INDEX checkins_user ON checkins(user_id, id);

    CREATE TABLE intimacy_optin (
        couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        opted_in    INTEGER NOT NULL,
        changed_at  INTEGER NOT NULL,
        PRIMARY KEY (couple_id, user_id)
    );

    CREATE TABLE intimacy_sent (
        couple_id   INTEGER NOT NULL REFERENCES couples(id) ON DELETE CASCADE,
        user_id     INTEGER NOT NULL REFERENCES users(user_id) ON DELETE CASCADE,
        step        INTEGER NOT NULL,
        sent_at     INTEGER NOT NULL,
        PRIMARY KEY (couple_id, user_id, step)
    );
    """,
    # 3: per-user writes find their rows by index, not by scanning whole tables while holding
    # the write lock: /delete_my_data, unpair and a blocked user (their queries, and the foreign
    # key actions SQLite runs for them, need an index on every child column); and the retention
    # job finds old rows by time.
    """
    CREATE INDEX couples_user_a ON couples(user_a);
    CREATE INDEX couples_user_b ON couples(user_b);
    CREATE INDEX users_couple ON users(couple_id);
    CREATE INDEX deliveries_couple ON deliveries(couple_id);
    CREATE INDEX checkins_couple ON checkins(couple_id);
    CREATE INDEX intimacy_optin_user ON intimacy_optin(user_id);
    CREATE INDEX intimacy_sent_user ON intimacy_sent(user_id);
    CREATE INDEX outbox_chat ON outbox(chat_id);
    CREATE INDEX outbox_created ON outbox(created_at);
    CREATE INDEX deliveries_delivered ON deliveries(delivered_at);
    """,
    # 4: the couple an outbox row belongs to, as a column (it was read back out of the ref with
    # LIKE 'c12:%'): erasing a couple finds its pending rows by value.
    """
    ALTER TABLE outbox ADD COLUMN couple_id INTEGER;
    UPDATE outbox SET couple_id = CAST(substr(ref, 2, instr(ref, ':') - 2) AS INTEGER)
     WHERE ref GLOB 'c[0-9]*:*';
    """,
    # 5: several instances: updates already processed (Telegram redelivers a webhook call that
    # was not answered), kept for a while.
    """
    CREATE TABLE processed_updates (
        update_id   INTEGER PRIMARY KEY,
        claimed_at  INTEGER NOT NULL,
        done        INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX processed_updates_claimed ON processed_updates(claimed_at);
    """,
    # 6: the language a partner reads (a catalogue locale such as "ru"); NULL until first picked.
    """
    ALTER TABLE users ADD COLUMN language TEXT;
    """,
    # 7: the sending leader's heartbeat (PostgreSQL's; one instance on SQLite never takes over
    # from another): kept so both schemas stay version for version alike.
    """
    CREATE TABLE sender_beat (
        id  INTEGER PRIMARY KEY CHECK (id = 1),
        at  INTEGER NOT NULL
    );
    """,
]
