/* check_greet.c: placeholder, being written. */
