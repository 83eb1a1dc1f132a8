//! Databases holding every column type of the vocabulary and the table shapes Diesel's
//! `table!` treats specially, written in plain SQL as a user's database would be, with rows
//! (one with every value set, one with every nullable column NULL). Shared by
//! `print_schema.rs` and `adopted_models_compile.rs` (`#[path]` module).

#![allow(dead_code)]

/// PostgreSQL: built-in types, arrays, an enum, extension types (`citext`, `ltree`), a column
/// named like its table and a keyword table and column, tables partitioned by range and by
/// list with their partitions, an inheritance child, stored generated columns.
pub const POSTGRES: &str = r#"
CREATE EXTENSION IF NOT EXISTS citext;
CREATE EXTENSION IF NOT EXISTS ltree;
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE every_type (
    id SERIAL PRIMARY KEY,
    small SMALLINT NOT NULL,
    int_col INTEGER,
    big BIGINT,
    re REAL,
    dbl DOUBLE PRECISION,
    num NUMERIC(10,2),
    num_any NUMERIC,
    flag BOOLEAN,
    txt TEXT NOT NULL,
    vc VARCHAR(20),
    vc_any VARCHAR,
    ch CHAR(5),
    bin BYTEA,
    d DATE,
    t TIME,
    t3 TIME(3),
    ttz TIMETZ,
    ts TIMESTAMP,
    ts3 TIMESTAMP(3),
    tstz TIMESTAMPTZ,
    iv INTERVAL,
    mo MONEY,
    u UUID,
    j JSON,
    jb JSONB,
    ip INET,
    net CIDR,
    mac MACADDR,
    mac8 MACADDR8,
    b BIT(3),
    vb VARBIT(8),
    ci CITEXT,
    tsv TSVECTOR,
    lt LTREE,
    ints INTEGER[],
    texts TEXT[] NOT NULL
);
INSERT INTO every_type (small, int_col, big, re, dbl, num, num_any, flag, txt, vc, vc_any, ch,
    bin, d, t, t3, ttz, ts, ts3, tstz, iv, mo, u, j, jb, ip, net, mac, mac8, b, vb, ci, tsv, lt,
    ints, texts)
VALUES (1, 2, 3, 1.5, 2.5, 12.34, 5.678, true, 'text', 'vc', 'vc any', 'abc', '\x0102',
    '2024-01-02', '03:04:05', '03:04:05.123', '03:04:05+02', '2024-01-02 03:04:05',
    '2024-01-02 03:04:05.123', '2024-01-02 03:04:05+00', '1 day 2 hours', 12.5,
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"a": 1}', '{"b": [1, 2]}', '192.168.0.1',
    '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', B'101', B'1101',
    'MiXeD', 'a fat cat', 'top.science', '{1, NULL, 3}', '{"x", NULL}');
INSERT INTO every_type (small, txt, texts) VALUES (0, '', '{}');
CREATE TABLE address (
    address_id SERIAL PRIMARY KEY,
    address TEXT NOT NULL,
    mood mood,
    moods mood[],
    area LTREE NOT NULL DEFAULT 'top'
);
INSERT INTO address (address, mood, moods) VALUES ('1 Main St', 'happy', '{sad, happy}');
INSERT INTO address (address) VALUES ('2 Side St');
CREATE TABLE "match" (
    id BIGSERIAL PRIMARY KEY,
    "type" TEXT,
    address_id INTEGER REFERENCES address (address_id)
);
INSERT INTO "match" ("type", address_id) VALUES ('final', 1);
CREATE TABLE measurement (
    id BIGINT NOT NULL,
    logdate DATE NOT NULL,
    peak INTEGER,
    PRIMARY KEY (id, logdate)
) PARTITION BY RANGE (logdate);
CREATE TABLE measurement_2024 PARTITION OF measurement
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurement_2025 PARTITION OF measurement
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
INSERT INTO measurement VALUES (1, '2024-05-01', 10), (2, '2025-05-01', NULL), (3, '2025-06-01', 30);
CREATE TABLE city (
    id INTEGER NOT NULL,
    region TEXT NOT NULL,
    name TEXT,
    PRIMARY KEY (id, region)
) PARTITION BY LIST (region);
CREATE TABLE city_north PARTITION OF city FOR VALUES IN ('north');
CREATE TABLE city_south PARTITION OF city FOR VALUES IN ('south', 'east');
INSERT INTO city VALUES (1, 'north', 'Oslo'), (2, 'south', 'Rome'), (3, 'east', NULL);
CREATE TABLE vehicle (
    id SERIAL PRIMARY KEY,
    wheels INTEGER NOT NULL
);
CREATE TABLE truck (
    payload INTEGER,
    PRIMARY KEY (id)
) INHERITS (vehicle);
INSERT INTO vehicle (wheels) VALUES (2);
INSERT INTO truck (wheels, payload) VALUES (6, 1000), (18, NULL);
CREATE TABLE line_item (
    id SERIAL PRIMARY KEY,
    price INTEGER NOT NULL,
    qty INTEGER NOT NULL,
    total INTEGER GENERATED ALWAYS AS (price * qty) STORED,
    label TEXT GENERATED ALWAYS AS ('x' || qty) STORED
);
INSERT INTO line_item (price, qty) VALUES (3, 4), (5, 0);
"#;

/// A PostgreSQL table without a primary key, which print-schema refuses.
pub const POSTGRES_KEYLESS: &str = "CREATE TABLE event_log (happened TIMESTAMP, note TEXT)";

/// MySQL / MariaDB: signed and unsigned integers of every width, fractional seconds, the text
/// and blob sizes, YEAR, BIT, SET, ENUM, a column named like its table, generated columns
/// (VIRTUAL, PERSISTENT, STORED), spatial types.
pub const MYSQL: &str = r#"
CREATE TABLE every_type (
    id INT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
    ti TINYINT,
    ti_u TINYINT UNSIGNED,
    si SMALLINT NOT NULL,
    si_u SMALLINT UNSIGNED,
    mi MEDIUMINT,
    mi_u MEDIUMINT UNSIGNED,
    i INT,
    bi BIGINT,
    bi_u BIGINT UNSIGNED,
    flag BOOLEAN,
    fl FLOAT,
    dbl DOUBLE,
    num DECIMAL(10,2),
    vc VARCHAR(20) NOT NULL,
    ch CHAR(5),
    tt TINYTEXT,
    tx TEXT,
    mt MEDIUMTEXT,
    bn BINARY(4),
    vb VARBINARY(10),
    tb TINYBLOB,
    bl BLOB,
    mb MEDIUMBLOB,
    lb LONGBLOB,
    d DATE,
    t TIME,
    t3 TIME(3),
    dt DATETIME,
    dt6 DATETIME(6),
    ts TIMESTAMP NULL,
    ts3 TIMESTAMP(3) NULL,
    y YEAR,
    bt BIT(3),
    st SET('a','b','c'),
    en ENUM('x','yy')
);
INSERT INTO every_type (ti, ti_u, si, si_u, mi, mi_u, i, bi, bi_u, flag, fl, dbl, num, vc, ch,
    tt, tx, mt, bn, vb, tb, bl, mb, lb, d, t, t3, dt, dt6, ts, ts3, y, bt, st, en)
VALUES (-1, 255, -2, 65535, -3, 16777215, -4, -5, 18446744073709551615, 1, 1.5, 2.5, 12.34,
    'vc', 'abc', 'tiny', 'text', 'medium', 'abcd', 'vb', 'tb', 'bl', 'mb', 'lb', '2024-01-02',
    '03:04:05', '03:04:05.123', '2024-01-02 03:04:05', '2024-01-02 03:04:05.123456',
    '2024-01-02 03:04:05', '2024-01-02 03:04:05.123', 2024, b'101', 'a,c', 'yy');
INSERT INTO every_type (si, vc) VALUES (0, '');
CREATE TABLE address (
    address_id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    address VARCHAR(50) NOT NULL
);
INSERT INTO address (address) VALUES ('1 Main St');
CREATE TABLE line_item (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    price INT NOT NULL,
    qty INT NOT NULL,
    total_v INT AS (price * qty) VIRTUAL,
    total_p INT AS (price * qty) PERSISTENT,
    total_s INT GENERATED ALWAYS AS (price * qty) STORED,
    label VARCHAR(40) AS (CONCAT('x', qty)) VIRTUAL
);
INSERT INTO line_item (price, qty) VALUES (3, 4), (5, 0);
CREATE TABLE place (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    area GEOMETRY,
    spot POINT NOT NULL
);
INSERT INTO place (area, spot) VALUES (NULL, ST_GeomFromText('POINT(1 2)'));
"#;

/// MariaDB's own types (10.7 and later), which MySQL lacks.
pub const MARIADB: &str = r#"
CREATE TABLE device (
    id INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    serial UUID NOT NULL,
    v4 INET4,
    v6 INET6
);
INSERT INTO device (serial, v4, v6) VALUES ('123e4567-e89b-12d3-a456-426614174000', '10.0.0.1', '::1');
"#;

/// SQLite: declared types as users write them (none at all among them, and ones only SQLite's
/// affinity rules read), a column named like its table, a table without a primary key (keyed
/// by `rowid`), generated columns (VIRTUAL, STORED, one without a type), a `BIGINT` key to an
/// `INTEGER` one (as Django writes them).
pub const SQLITE: &str = r#"
CREATE TABLE every_type (
    id INTEGER PRIMARY KEY,
    i INT,
    ti TINYINT,
    si SMALLINT,
    bi BIGINT NOT NULL,
    dec DECIMAL(10,2),
    num NUMERIC,
    r REAL,
    f FLOAT,
    dbl DOUBLE,
    vc VARCHAR(20),
    ch CHARACTER(5),
    tx TEXT NOT NULL,
    cl CLOB,
    bl BLOB,
    b BOOLEAN,
    d DATE,
    t TIME,
    dt DATETIME,
    ts TIMESTAMP
);
INSERT INTO every_type (i, ti, si, bi, dec, num, r, f, dbl, vc, ch, tx, cl, bl, b, d, t, dt, ts)
VALUES (1, 2, 3, 4, 12.34, 5.5, 1.5, 2.5, 3.5, 'vc', 'abc', 'text', 'clob', x'0102', 1,
    '2024-01-02', '03:04:05', '2024-01-02 03:04:05', '2024-01-02 03:04:05');
INSERT INTO every_type (bi, tx) VALUES (0, '');
CREATE TABLE address (
    address_id INTEGER PRIMARY KEY,
    address TEXT NOT NULL
);
INSERT INTO address (address) VALUES ('1 Main St');
CREATE TABLE event_log (happened TIMESTAMP, note TEXT);
INSERT INTO event_log (happened, note) VALUES ('2024-01-02 03:04:05', 'started');
CREATE TABLE loose (
    id INTEGER PRIMARY KEY,
    anything,
    vc2 VARCHAR(10, 5),
    ubi UNSIGNED BIG INT,
    nch NATIVE CHARACTER(70),
    dp DOUBLE PRECISION,
    twice AS (id * 2),
    plus_one INT GENERATED ALWAYS AS (id + 1) STORED,
    shout TEXT AS (upper(nch)) VIRTUAL
);
INSERT INTO loose (anything, vc2, ubi, nch, dp) VALUES (42, 'v', 7, 'n', 1.5);
INSERT INTO loose (anything) VALUES ('text');
INSERT INTO loose (anything) VALUES (x'00ff');
CREATE TABLE mention (
    id INTEGER PRIMARY KEY,
    address_id BIGINT NOT NULL REFERENCES address (address_id)
);
INSERT INTO mention (address_id) VALUES (1);
"#;
