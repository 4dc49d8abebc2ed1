<?php
// The receiver a shared-hosting user would write for Eka Care webhooks:
// decode the body, check a few fields, append one line to a log.  It is
// the PHP contender of bench/run.sh; RECEIVER_LOG (from php-fpm's pool
// env) is the log file.
header('Content-Type: application/json');
if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
	http_response_code(405);
	echo json_encode(['ok' => false, 'error' => 'method_not_allowed']), "\n";
	exit;
}
$raw = file_get_contents('php://input');
$event = json_decode($raw, true);
if (!is_array($event) || !isset($event['event'], $event['data']) ||
    !is_string($event['event']) || !is_array($event['data']) ||
    !isset($event['data']['appointment_id'], $event['data']['status'])) {
	http_response_code(422);
	echo json_encode(['ok' => false, 'error' => 'invalid_event']), "\n";
	exit;
}
$id = bin2hex(random_bytes(8));
$line = json_encode([
	'received_at' => gmdate('Y-m-d\TH:i:s\Z'),
	'request_id' => $id,
	'remote_addr' => $_SERVER['REMOTE_ADDR'] ?? null,
	'event' => $event,
], JSON_UNESCAPED_SLASHES) . "\n";
if (file_put_contents(getenv('RECEIVER_LOG'), $line,
    FILE_APPEND | LOCK_EX) === false) {
	http_response_code(503);
	echo json_encode(['ok' => false, 'error' => 'storage_unavailable']), "\n";
	exit;
}
echo json_encode(['ok' => true, 'request_id' => $id]), "\n";
