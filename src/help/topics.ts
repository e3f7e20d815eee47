// The texts of `airconn help TOPIC`, the one copy: the generated reference (docs/commands/, airconn.1) is made from
// them and the guides in docs/ link to them. Loaded only by the help command's action. Tests keep them true:
// test/unit/help-topics.test.ts compares `environment` with the variables src/ reads and `exit-codes` with errors.ts.
import type { TopicName } from "./index.js";
import { oneLine as l, type Topic } from "./text.js";

const environment: Topic = {
  title: "Environment variables",
  blocks: [
    {
      p: l(`A setting comes from the first of these that gives it: a flag, an environment variable, the profile,
        the default (flag > env > profile > default). \`airconn profile show\` says where each value in effect came
        from. A variable set to the empty string counts as unset.`),
    },
    { h: "Connecting (the flag and the profile key in parentheses):" },
    {
      dl: [
        [
          "AIRCONN_PROFILE",
          l(`the profile to use (-p, --profile); default: the current profile (\`airconn profile use\`),
            else "default"`),
        ],
        [
          "AIRCONN_API_URL",
          l(`the Airflow base URL, e.g. https://airflow.example.com (--api-url; api_url); default:
            http://localhost:8080`),
        ],
        ["AIRCONN_TOKEN", "an access token (--token; token)"],
        [
          "AIRCONN_TOKEN_COMMAND",
          l(`a shell command that prints an access token, run again once on a 401 (--token-command;
            token_command); it wins over AIRCONN_TOKEN`),
        ],
        ["AIRCONN_TOKEN_COMMAND_TIMEOUT", "seconds a token command may take (default 30, at most 3600)"],
        [
          "AIRCONN_USERNAME, AIRCONN_PASSWORD",
          l(`both set: a token from POST /auth/token (Airflow's simple auth manager) for this run, stored
            nowhere; used when no flag or variable gives a token or a token command, before the profile's`),
        ],
        ["AIRCONN_CA_CERT", "PEM file with the CA that signed the server's certificate (--ca-cert; ca_cert)"],
        [
          "AIRCONN_INSECURE",
          l(`1 (or true, yes): do not verify the server's certificate; 0 (or false, no) turns a profile's
            insecure off (--insecure; insecure)`),
        ],
        [
          "AIRCONN_MWAA_ENVIRONMENT",
          l(`an Amazon MWAA environment: every request goes through its InvokeRestApi, signed with AWS
            credentials, no token (--mwaa-environment; mwaa_environment); it wins over an API URL given at the
            same or a lower level`),
        ],
        [
          "AIRCONN_AWS_REGION",
          l(`the MWAA environment's region (--aws-region; aws_region); else AWS_REGION, AWS_DEFAULT_REGION, the
            AWS profile's region`),
        ],
      ],
    },
    { h: "Behaviour:" },
    {
      dl: [
        ["AIRCONN_NO_INPUT", "1 or true: never prompt (--no-input); without a terminal airconn never prompts"],
        [
          "AIRCONN_MAX_INPUT_BYTES",
          l(`the most a file or stdin may hold: bytes, or with a unit as in 64M or 256MiB (default 128 MiB,
            at most 512 MiB)`),
        ],
        [
          "AIRCONN_CONFIG_DIR",
          "the folder of config.json, which holds the profiles (default $XDG_CONFIG_HOME/airconn)",
        ],
        [
          "AIRCONN_STRICT",
          l(`1 (or true, yes): extras that a provider's form flags (a near miss of a field's name, a value of the
            wrong kind) are an error, exit 2, nothing sent (--strict); 0 (or false, no): warnings`),
        ],
        ["AIRCONN_DEBUG", "any value: an unexpected error also prints its stack trace"],
      ],
    },
    { h: "Standard variables:" },
    {
      dl: [
        ["NO_COLOR", "set and not empty: no colour, as --no-color (FORCE_COLOR is not read)"],
        ["TERM", "dumb: no colour"],
        [
          "HTTPS_PROXY, HTTP_PROXY",
          l(`the proxy for https:// and http:// API URLs (an https URL falls back to HTTP_PROXY); the lower-case
            names win when set, even empty`),
        ],
        ["NO_PROXY", "hosts reached without the proxy: names, .domains, host:port, or * for all; comma-separated"],
        ["XDG_CONFIG_HOME", "an absolute path: the config folder is $XDG_CONFIG_HOME/airconn (default ~/.config)"],
        [
          "XDG_CACHE_HOME",
          l(`an absolute path: completion ids and server versions are cached in $XDG_CACHE_HOME/airconn
            (default ~/.cache)`),
        ],
        ["HOME", "the home folder, for ~/.config and ~/.cache"],
        ["SHELL", "runs token commands ($SHELL -c when it is an absolute path, else /bin/sh -c)"],
      ],
    },
    { h: "Amazon MWAA (as the AWS CLI reads them):" },
    {
      dl: [
        [
          "AWS_REGION, AWS_DEFAULT_REGION",
          "the region, when neither --aws-region nor AIRCONN_AWS_REGION nor the profile gives one",
        ],
        [
          "AWS_PROFILE, AWS_DEFAULT_PROFILE",
          "the AWS profile whose region the AWS config file gives; AWS_PROFILE also chooses the credentials",
        ],
        ["AWS_CONFIG_FILE", "the AWS config file (default ~/.aws/config)"],
        [
          "AWS_ENDPOINT_URL_MWAA, AWS_ENDPOINT_URL",
          "the MWAA endpoint, used as given (default: the MWAA endpoint of the region)",
        ],
        ["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true: the two above are ignored"],
      ],
    },
    {
      p: l(`The credentials come from the AWS SDK's standard chain: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
        (with AWS_SESSION_TOKEN), the AWS profile, SSO, a web identity, the instance or container role.`),
    },
    { h: "Read by Node.js itself:" },
    {
      dl: [
        ["NODE_EXTRA_CA_CERTS", "a PEM file of CAs to trust besides the built-in ones (the executable reads it too)"],
        [
          "NODE_TLS_REJECT_UNAUTHORIZED",
          "0 skips certificate checks in the npm command; the standalone executable ignores it (use --insecure)",
        ],
        ["NODE_OPTIONS", "obeyed by the npm command; the standalone executable ignores it"],
      ],
    },
    {
      p: l(`In the files \`diff\` and \`apply\` read, \${VAR} and \${VAR:-default} take any variable's value;
        \`export --format airconn\` writes secrets as \${AIRCONN_<ID>_PASSWORD} and
        \${AIRCONN_<ID>_EXTRA_<KEY>} references (\`airconn help files\`).`),
    },
  ],
};

const exitCodes: Topic = {
  title: "Exit codes",
  blocks: [
    {
      dl: [
        [
          "0",
          l(`success, an empty list too; also a read stopped because the reader of stdout went away
            (airconn list | head -1)`),
        ],
        [
          "1",
          l(`failure: a server error (5xx), a network error or timeout, a URL that is not the Airflow API, a test
            that did not pass, any id that failed in a command over many ids; diff --exit-code with differences`),
        ],
        [
          "2",
          l(`invalid input: bad flags or values, a bad file or URI, a value missing without a terminal; also the
            server's 400 and 422`),
        ],
        ["3", "not found: the connection does not exist (404)"],
        ["4", "not authenticated or not allowed: no token, a failed token command, 401, 403"],
        ["5", "conflict: the connection already exists (409, or import --on-existence fail)"],
        ["130", "interrupted: Ctrl-C, a cancelled prompt, a confirmation answered no"],
        ["143", "stopped by SIGTERM (a CI job's timeout, kill)"],
        ["129", "stopped by SIGHUP (a closed terminal)"],
      ],
    },
    {
      p: l(`A command that writes many ids (bulk, import, apply, a delete of several ids) prints its report first:
        stopped by a signal, it lists the ids not attempted. An error is one line on stderr, \`airconn: <message>\`,
        with at most one \`hint:\` line. A command's --help adds what its codes mean for it.`),
    },
  ],
};

const output: Topic = {
  title: "Output",
  blocks: [
    { h: "Formats (-o, --output):" },
    {
      dl: [
        [
          "table",
          l(`aligned columns with a header; the default at a terminal, cut to its width (the widest columns end
            in …)`),
        ],
        ["wide", "the same table, never cut"],
        [
          "plain",
          l(`the default when stdout is not a terminal: tab-separated, no header, the id first, empty cells for
            null; tabs and newlines inside values become spaces; get prints one field<TAB>value line per field`),
        ],
        [
          "json",
          l(`one JSON document with the API's field names: an array for list, an object for get (extra is the
            API's string)`),
        ],
        ["yaml", "the same document in YAML"],
      ],
    },
    {
      p: l(`stdout carries only the data asked for; progress, notices, warnings and errors go to stderr. json and
        yaml (and export to stdout) are written whole or not at all: when a request fails stdout stays empty and
        the exit code is not 0, so \`airconn list -o json > list.json\` never leaves half a document. plain
        streams rows page by page.`),
    },
    { h: "Colour and the terminal:" },
    {
      p: l(`Colour only when stdout is a terminal, and never with --no-color, NO_COLOR or TERM=dumb. Control
        characters and bidirectional overrides in data are shown as escapes (ESC as \\x1b, U+202E as \\u202e),
        never sent to the terminal; json and yaml keep the exact values. At a terminal a slow list shows its
        progress on stderr, and an empty one says so there.`),
    },
    { h: "In scripts:" },
    {
      code: [
        "$ airconn list | cut -f1                         # ids, one per line",
        "$ airconn list -o json | jq -r '.[].connection_id'",
        "$ airconn get my_postgres -o json | jq -r .host",
        "$ airconn list | head -1                         # stops fetching, exit 0",
      ],
    },
    {
      p: l(`Commands that write many ids end with a report: a table at a terminal, one tab-separated line per id
        when piped, or with -o json one document {created, updated, deleted, skipped, failed}; and one summary
        line on stderr. airconn prompts only when stdin and stderr are terminals, never with --no-input or
        AIRCONN_NO_INPUT=1: a value it would ask for is then an error (exit 2). Exit codes: \`airconn help
        exit-codes\`.`),
    },
  ],
};

const patterns: Topic = {
  title: "Choosing connections: --pattern and --prefix",
  blocks: [
    {
      p: l(`list, export and test select connections by id with them; diff and apply use them to limit which
        server connections are in scope (compared, and deleted with --prune). Given both, an id must match both.`),
    },
    { h: "--pattern P (Airflow's connection_id_pattern):" },
    {
      p: l(`Case-insensitive "contains", with SQL LIKE wildcards: % matches any run of characters, _ any one
        character. 'a | b' matches either term (the spaces are optional). ~ alone matches everything.`),
    },
    {
      code: [
        "$ airconn list --pattern customer         # ids that contain customer",
        "$ airconn list --pattern %customer_%      # ... and one character after it",
        "$ airconn list --pattern 'pg_ | mysql_'   # either; quote | for the shell",
      ],
    },
    { h: "--prefix P (Airflow 3.3's connection_id_prefix_pattern):" },
    {
      p: l(`Ids that start with P: case-sensitive; 'a|b' for either; ~ for everything; % and _ are plain
        characters; trailing characters that are not letters or digits are ignored (test_ means test, s3://
        means s3).`),
    },
    {
      code: [
        "$ airconn list --prefix 'prod_|stage_' -o json",
        "$ airconn apply team_a.yaml --prefix team_a_ --prune --yes",
      ],
    },
    { h: "By server version:" },
    {
      dl: [
        [
          "3.3 and later",
          l(`the server applies --prefix (index-friendly) and 'a | b'; airconn filters the answer too, so an id
            that does not match never comes back`),
        ],
        [
          "3.2",
          l(`the server applies 'a | b'; it ignores --prefix, so airconn does not send it: it reads every
            connection and keeps those that match, counting --limit and --offset among them`),
        ],
        [
          "3.0, 3.1",
          l(`no 'a | b' on the server (it would match nothing): airconn asks for each term and merges the
            answers, each connection once, terms in the order given; --order-by, --offset and --limit are then
            applied by airconn. --prefix as on 3.2`),
        ],
      ],
    },
    {
      p: l(`airconn reads the server's version (GET /api/v2/version, no token needed) only for --prefix or a
        pattern with |, and caches it for 5 minutes per API URL. When it cannot be read, airconn acts as on 3.0
        for 'a | b' and as on 3.2 for --prefix.`),
    },
  ],
};

const files: Topic = {
  title: "Connection files",
  blocks: [
    { h: "Formats (--format; by default from the file's extension):" },
    {
      dl: [
        [
          "json",
          l(`what \`airflow connections export\` writes, and airflowctl's JSON: {"ID": {"conn_type": ...,
            "host": ...}}; a value may be a URI string; extra a string or an object. import, export, diff, apply`),
        ],
        [
          "yaml",
          l(`the same mapping in YAML (.yaml, .yml), as \`airflow connections export\` writes it. import,
            export; diff and apply with --format yaml`),
        ],
        [
          "env",
          l(`one ID=URI line per connection, or ID=<json> (export --serialization-format json);
            AIRFLOW_CONN_FOO=... is id foo; lines starting with # are comments. import, export, diff, apply`),
        ],
        [
          "astro",
          l(`Astro's airflow_settings.yaml: airflow.connections[] with conn_id, conn_type, conn_host, ...;
            pools and variables are ignored. import (found by name or content), diff, apply`),
        ],
        [
          "airconn",
          l(`airconn's YAML, what diff and apply read from .yaml and .yml: a list of connections (or a map by
            id), optionally under connections:, with the API's field names, extra as a map, or a uri instead of
            fields. Only the fields written are managed; null clears one. \${VAR} and \${VAR:-default} come from
            the environment, $$ is a $. export --format airconn writes it, each secret as a \${VAR}`),
        ],
        [
          "bulk",
          l(`the API's BulkBody, JSON or YAML: {actions: [{action: create|update|delete, entities: [...],
            action_on_existence: fail|skip|overwrite, action_on_non_existence: fail|skip, update_mask: [...]}]}`),
        ],
      ],
    },
    {
      p: l(`A file named - is standard input; import then needs --format. export without a file, or with -, writes
        to stdout (json unless --format says otherwise); to a file it writes a temporary file beside it, mode 0600,
        renamed when complete.`),
    },
    { h: "Checked before anything is sent:" },
    {
      p: l(`The whole file is read and checked first. Every problem is listed with its line (the first 20, then
        the count), and then nothing is sent: exit 2. Ids: letters, digits, _ . - (at most 200 characters), each
        once per file.`),
    },
    { h: "Secrets:" },
    {
      p: l(`The API returns passwords and sensitive extra values as ***, so exports hold ***. In a file, *** means
        "keep what the server has": it is sent only where the stored connection has a value, and left out
        elsewhere, with one warning that lists each id.field. airconn never stores a literal ***.`),
    },
    { h: "Limits (each an exit 2 that names it):" },
    {
      dl: [
        ["size", "a file or stdin: 128 MiB; AIRCONN_MAX_INPUT_BYTES changes it (at most 512 MiB)"],
        ["secrets", "--password-stdin, --token-stdin: 1 MiB"],
        ["binary", "a NUL byte (a binary file, /dev/zero) is refused"],
        ["nesting", "500 levels of JSON or YAML"],
        ["YAML aliases", "what they add to the document: 16 MiB, or 4 times the file's size"],
      ],
    },
    {
      p: l(`bulk and import send large actions in chunks of --chunk-size entities (default 500), in parallel. A
        signal while they send stops new requests, waits for those in flight and prints the report with the
        ids not attempted.`),
    },
  ],
};

const auth: Topic = {
  title: "Connecting and authenticating",
  blocks: [
    {
      p: l(`A profile holds an Airflow's base URL and how to get a token. Each setting comes from a flag, else
        an environment variable, else the profile, else the default; \`airconn profile show\` says which.`),
    },
    {
      code: [
        "setting        flag                variable                  profile key",
        "profile        -p, --profile       AIRCONN_PROFILE           (profile use)",
        "API URL        --api-url           AIRCONN_API_URL           api_url",
        "token          --token             AIRCONN_TOKEN             token",
        "token command  --token-command     AIRCONN_TOKEN_COMMAND     token_command",
        "private CA     --ca-cert           AIRCONN_CA_CERT           ca_cert",
        "no TLS check   --insecure          AIRCONN_INSECURE=1        insecure",
        "MWAA           --mwaa-environment  AIRCONN_MWAA_ENVIRONMENT  mwaa_environment",
        "AWS region     --aws-region        AIRCONN_AWS_REGION        aws_region",
      ],
    },
    {
      p: l(`The API URL is Airflow's base URL (https://example.com/airflow): airconn adds /api/v2. Default:
        http://localhost:8080. Profiles are kept in config.json (\`airconn help environment\` for where), mode
        0600.`),
    },
    { h: "Tokens (the first found wins):" },
    {
      p: l(`--token-command, --token, AIRCONN_TOKEN_COMMAND, AIRCONN_TOKEN, AIRCONN_USERNAME with
        AIRCONN_PASSWORD, the profile's token_command, the profile's token. A command wins over a token at the
        same level (it can renew itself); --token with --token-command is refused.`),
    },
    {
      code: [
        "$ airconn login --api-url https://airflow.example.com   # user and password",
        '$ printf %s "$JWT" | airconn login --token-stdin         # a token you have',
        "$ airconn profile set prod --token-command 'gcloud auth print-access-token'",
      ],
    },
    {
      p: l(`login uses POST /auth/token, Airflow's simple auth manager; with another auth manager, get a token
        its way and use --token-stdin or a token command. A token command runs through $SHELL -c when a request
        needs a token; its stdout, trimmed, is the token. It has 30 s (AIRCONN_TOKEN_COMMAND_TIMEOUT). On a
        401 airconn runs it again once and resends the request. The token is never printed, not even with
        --verbose, and airconn warns before it sends one over plain http to another machine.`),
    },
    { h: "TLS and proxies:" },
    {
      p: l(`--ca-cert FILE (PEM) trusts that CA instead of the system's for the connection to Airflow; keep it
        in the profile with \`airconn profile set NAME --ca-cert FILE\`. --insecure skips the check (from the
        environment or a profile it is warned about on every run); a CA given at a higher level wins over it. HTTPS_PROXY, HTTP_PROXY and NO_PROXY choose
        the proxy, and credentials in a proxy URL are never shown. \`airconn status\` shows the URL, the proxy,
        the CA and whether the token works.`),
    },
    { h: "Managed Airflows:" },
    {
      p: l(`Amazon MWAA without a token: \`airconn profile set NAME --mwaa-environment ENV --aws-region REGION\`
        sends every request through MWAA's InvokeRestApi, signed with your AWS credentials (the standard AWS chain;
        \`airconn help environment\`). Google Cloud Composer and Astronomer take a token command. The recipes are
        in airconn's repository: docs/connecting.md, and docs/mwaa.md for MWAA.`),
    },
  ],
};

export const TOPICS: Record<TopicName, Topic> = {
  environment,
  "exit-codes": exitCodes,
  output,
  patterns,
  files,
  auth,
};
