// Package cache keeps what the GLPI endpoints need in memory, so that key
// validation and catalogue pages make no database round trip on the hot
// path, and follows the store's change feed to stay coherent with changes
// made by any process or replica.
package cache
