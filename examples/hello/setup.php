<?php

/**
 * A minimal GLPI plugin, to try publishing with glpinetd:
 *   tar czf glpi-hello-1.0.0.tar.gz -C examples hello
 *   glpinetd plugin publish glpi-hello-1.0.0.tar.gz
 */

define('PLUGIN_HELLO_VERSION', '1.0.0');
// Minimal GLPI version, inclusive
define('PLUGIN_HELLO_MIN_GLPI', '10.0.0');
// Maximum GLPI version, exclusive
define('PLUGIN_HELLO_MAX_GLPI', '11.1.0');

function plugin_version_hello()
{
    return [
        'name'         => 'Hello',
        'version'      => PLUGIN_HELLO_VERSION,
        'author'       => 'glpinet',
        'license'      => 'GPLv3+',
        'homepage'     => 'https://example.com/hello',
        'requirements' => [
            'glpi' => [
                'min' => PLUGIN_HELLO_MIN_GLPI,
                'max' => PLUGIN_HELLO_MAX_GLPI,
            ],
        ],
    ];
}

function plugin_init_hello()
{
}

function plugin_hello_check_prerequisites()
{
    return true;
}

function plugin_hello_check_config()
{
    return true;
}
