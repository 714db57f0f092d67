<?php
// An old ERP "Warenwirtschaft" behind PHP's SoapServer (document/literal), for the SOAP connector:
// customers by page with a "changed since" filter, articles by offset, HTTP basic auth or a
// WS-Security UsernameToken, and faults a test can queue. Everything it serves and remembers is in
// the JSON file named by SOAP_SANDBOX_STATE, which the test writes between calls and this script
// updates (call log, fault queue) under an exclusive lock.
// Unconfirmed choices of this imitation: the WSDL is readable without credentials, "changed since"
// is exclusive (later than), and an overload fault carries Retry-After like an HTTP 503 would.
declare(strict_types=1);

const NS = 'http://warenwirtschaft.example/soap';
const WSSE_NS = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';

$stateFile = getenv('SOAP_SANDBOX_STATE') ?: '';
$wsdlFile = __DIR__ . '/warenwirtschaft.wsdl';
$host = $_SERVER['HTTP_HOST'] ?? '127.0.0.1';

if ($_SERVER['REQUEST_METHOD'] === 'GET') {
    if (parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) === '/soap' && isset($_GET['wsdl'])) {
        header('Content-Type: text/xml; charset=utf-8');
        echo str_replace('http://localhost/soap', "http://$host/soap", (string) file_get_contents($wsdlFile));
        return;
    }
    http_response_code(404);
    echo 'Nicht gefunden';
    return;
}

$lock = fopen($stateFile, 'c+');
if ($lock === false || !flock($lock, LOCK_EX)) {
    http_response_code(500);
    echo 'Zustandsdatei nicht lesbar';
    return;
}
$state = json_decode((string) stream_get_contents($lock), true, 512, JSON_THROW_ON_ERROR);
$body = (string) file_get_contents('php://input');
$action = trim($_SERVER['HTTP_SOAPACTION'] ?? '', '"');
$call = ['operation' => substr($action, strrpos($action, '/') + 1), 'at' => microtime(true)];

try {
    serve($state, $call, $body, $wsdlFile, $host);
} finally {
    $state['calls'][] = $call;
    ftruncate($lock, 0);
    rewind($lock);
    fwrite($lock, json_encode($state, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR));
    fflush($lock);
    flock($lock, LOCK_UN);
    fclose($lock);
}

function serve(array &$state, array &$call, string $body, string $wsdlFile, string $host): void
{
    $fault = array_shift($state['faults']);
    if ($fault !== null) {
        $call['answer'] = $fault['type'];
        header('Retry-After: ' . $fault['retryAfter']);
        if ($fault['type'] === 'wartung') {
            http_response_code(503);
            echo 'Wartungsarbeiten, bitte später erneut versuchen';
            return;
        }
        sendFault('Server.Ueberlastet', 'Zu viele Anfragen, bitte später erneut versuchen');
        return;
    }

    $call['auth'] = authenticate($state, $body);
    if ($call['auth'] === 'basic-refused' || $call['auth'] === 'none') {
        $call['answer'] = 'HTTP 401';
        http_response_code(401);
        header('WWW-Authenticate: Basic realm="Warenwirtschaft"');
        echo 'Anmeldung erforderlich';
        return;
    }

    $server = new SoapServer($wsdlFile, ['encoding' => 'UTF-8', 'cache_wsdl' => WSDL_CACHE_NONE]);
    $server->setObject(new Warenwirtschaft($state, $call));
    $server->handle($body);
    $call['answer'] ??= 'ok';
}

/** "basic", "wsse", "basic-refused", "wsse-refused" or "none". */
function authenticate(array $state, string $body): string
{
    $header = $_SERVER['HTTP_AUTHORIZATION'] ?? '';
    if (str_starts_with($header, 'Basic ')) {
        $pair = explode(':', (string) base64_decode(substr($header, 6), true), 2);
        $ok = count($pair) === 2 && hash_equals($state['benutzer'], $pair[0]) && hash_equals($state['passwort'], $pair[1]);
        return $ok ? 'basic' : 'basic-refused';
    }
    if (!preg_match('#<(?:[\w-]+:)?UsernameToken\b.*?</(?:[\w-]+:)?UsernameToken>#s', $body, $token)) {
        return 'none';
    }
    $read = static function (string $element) use ($token): ?string {
        return preg_match("#<(?:[\\w-]+:)?$element\\b([^>]*)>(.*?)</(?:[\\w-]+:)?$element>#s", $token[0], $match)
            ? html_entity_decode($match[2], ENT_QUOTES | ENT_XML1, 'UTF-8') . "\0" . $match[1]
            : null;
    };
    [$username] = explode("\0", $read('Username') ?? "\0");
    [$password, $attributes] = explode("\0", $read('Password') ?? "\0");
    if (str_contains($attributes, 'PasswordDigest')) {
        [$nonce] = explode("\0", $read('Nonce') ?? "\0");
        [$created] = explode("\0", $read('Created') ?? "\0");
        $expected = base64_encode(sha1(base64_decode($nonce) . $created . $state['passwort'], true));
        $ok = hash_equals($expected, $password);
    } else {
        $ok = hash_equals($state['passwort'], $password);
    }
    return $ok && hash_equals($state['benutzer'], $username) ? 'wsse' : 'wsse-refused';
}

function sendFault(string $code, string $message): void
{
    http_response_code(500);
    header('Content-Type: text/xml; charset=utf-8');
    echo '<?xml version="1.0" encoding="UTF-8"?>'
        . '<SOAP-ENV:Envelope xmlns:SOAP-ENV="http://schemas.xmlsoap.org/soap/envelope/"><SOAP-ENV:Body>'
        . '<SOAP-ENV:Fault><faultcode>SOAP-ENV:' . htmlspecialchars($code, ENT_XML1) . '</faultcode>'
        . '<faultstring>' . htmlspecialchars($message, ENT_XML1) . '</faultstring></SOAP-ENV:Fault>'
        . '</SOAP-ENV:Body></SOAP-ENV:Envelope>';
}

final class Warenwirtschaft
{
    private array $state;
    private array $call;

    public function __construct(array &$state, array &$call)
    {
        $this->state = &$state;
        $this->call = &$call;
    }

    public function GetKunden(stdClass $request): array
    {
        $this->requireLogin();
        $page = max(1, (int) $request->page);
        $size = min(500, max(1, (int) $request->pageSize));
        $since = isset($request->geaendertSeit) ? new DateTimeImmutable((string) $request->geaendertSeit) : null;
        $this->call['args'] = ['page' => $page, 'pageSize' => $size, 'geaendertSeit' => $since?->format(DATE_ATOM)];
        $protocolFrom = $this->state['aenderungsprotokollAb'] ?? null;
        if ($since !== null && $protocolFrom !== null && $since < new DateTimeImmutable($protocolFrom)) {
            $this->call['answer'] = 'Client.AenderungsprotokollAbgelaufen';
            throw new SoapFault(
                'Client.AenderungsprotokollAbgelaufen',
                'Das Änderungsprotokoll reicht nicht so weit zurück, bitte einen vollständigen Abgleich starten',
            );
        }
        $selected = array_values(array_filter(
            $this->state['kunden'],
            static fn (array $kunde) => $since === null || new DateTimeImmutable($kunde['GeaendertAm']) > $since,
        ));
        $berlin = new DateTimeZone('Europe/Berlin');
        $kunden = array_map(static function (array $kunde) use ($berlin): array {
            $kunde['GeaendertAm'] = (new DateTimeImmutable($kunde['GeaendertAm']))->setTimezone($berlin)->format(DATE_ATOM);
            return $kunde;
        }, array_slice($selected, ($page - 1) * $size, $size));
        return ['Gesamt' => count($selected), 'Kunden' => ['Kunde' => $kunden]];
    }

    public function GetArtikel(stdClass $request): array
    {
        $this->requireLogin();
        $offset = max(0, (int) $request->offset);
        $limit = min(500, max(1, (int) $request->limit));
        $this->call['args'] = ['offset' => $offset, 'limit' => $limit];
        return ['ArtikelListe' => ['Artikel' => array_slice($this->state['artikel'], $offset, $limit)]];
    }

    private function requireLogin(): void
    {
        if ($this->call['auth'] === 'wsse-refused') {
            $this->call['answer'] = 'wsse:FailedAuthentication';
            throw new SoapFault(
                [WSSE_NS, 'FailedAuthentication'],
                'Benutzername oder Kennwort ungültig',
            );
        }
    }
}
