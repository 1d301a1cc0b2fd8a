<?php
/**
 * Local overrides - edited by hand, keep this header.
 */
define('GLPI_LOG_LVL',   \Monolog\Logger::DEBUG);
	// define('GLPI_NETWORK_SERVICES', 'https://commented.example');
define("GLPI_VAR_DIR" , '/var/lib/glpi' );  # trailing comment
$x = "define('GLPI_NETWORK_SERVICES', 'in a string');";
?>
