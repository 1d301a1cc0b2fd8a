<?php

/**
 * -------------------------------------------------------------------------
 * Foo plugin for GLPI
 * -------------------------------------------------------------------------
 */

use Glpi\Plugin\Hooks;

define('PLUGIN_FOO_VERSION', '2.14.1');

// Minimal GLPI version, inclusive
define("PLUGIN_FOO_MIN_GLPI", "10.0.11");
// Maximum GLPI version, exclusive
define("PLUGIN_FOO_MAX_GLPI", "10.0.99");

if (!defined("PLUGIN_FOO_DIR")) {
    define("PLUGIN_FOO_DIR", Plugin::getPhpDir("foo"));
}

/**
 * Init hooks of the plugin.
 * REQUIRED
 *
 * @return void
 */
function plugin_init_foo()
{
    /** @var array $PLUGIN_HOOKS */
    global $PLUGIN_HOOKS, $CFG_GLPI;

    $PLUGIN_HOOKS['csrf_compliant']['foo'] = true;
    $PLUGIN_HOOKS[Hooks::ADD_CSS]['foo'] = 'css/foo.css';
    $PLUGIN_HOOKS['config_page']['foo'] = 'front/config.form.php';
    Plugin::registerClass(PluginFooConfig::class, ['addtabon' => 'Config']);
}

/**
 * Get the name and the version of the plugin
 * REQUIRED
 *
 * @return array
 */
function plugin_version_foo()
{
    return [
        'name'           => __('Foo reports', 'foo'),
        'version'        => PLUGIN_FOO_VERSION,
        'author'         => '<a href="http://www.teclib.com">Teclib\'</a>',
        'license'        => 'GPLv2+',
        'homepage'       => 'https://github.com/pluginsGLPI/foo',
        'requirements'   => [
            'glpi' => [
                'min' => PLUGIN_FOO_MIN_GLPI,
                'max' => PLUGIN_FOO_MAX_GLPI,
            ]
        ]
    ];
}

/**
 * Check pre-requisites before install
 *
 * @return boolean
 */
function plugin_foo_check_prerequisites()
{
    if (!is_readable(__DIR__ . '/vendor/autoload.php') || !is_file(__DIR__ . '/vendor/autoload.php')) {
        echo "Run composer install --no-dev in the plugin directory<br>";
        return false;
    }
    return true;
}

function plugin_foo_check_config($verbose = false)
{
    if (true) { // Your configuration check
        return true;
    }

    if ($verbose) {
        echo __('Installed / not configured', 'foo');
    }
    return false;
}
