<?php

function plugin_hello_install()
{
    return true;
}

function plugin_hello_uninstall()
{
    return true;
}
