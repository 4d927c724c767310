## Unit tests (cmocka), one program per core module.
