/* check_greet.h: placeholder */
