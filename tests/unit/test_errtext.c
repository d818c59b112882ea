/* db/errtext: MariaDB error messages as the application log may keep them. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "db/errtext.h"

struct pair {
	char in[128], out[128];
};

/* Messages as MariaDB 10.11 words them, with values a trainee could have typed. */
ParameterizedTestParameters(errtext, values_go_names_stay)
{
	static struct pair p[] = {
		{ "Duplicate entry 'zhang.san@example.cn' for key 'email'",
		  "Duplicate entry '…' for key 'email'" },
		{ "Duplicate entry '31010119900307' for key 'persons.id_hash'",
		  "Duplicate entry '…' for key 'persons.id_hash'" },
		{ "Duplicate entry 'O'Brien' for key 'name'", "Duplicate entry '…' for key 'name'" },
		{ "Incorrect string value: '\\xF0\\x9F\\x98\\x80' for column `tmcred`.`persons`.`name` at row 1",
		  "Incorrect string value: '…' for column `tmcred`.`persons`.`name` at row 1" },
		{ "Incorrect datetime value: '2024-13-45 张三' for column 'at' at row 1",
		  "Incorrect datetime value: '…' for column 'at' at row 1" },
		{ "Unknown column 'foo' in 'field list'", "Unknown column 'foo' in 'field list'" },
		{ "Data too long for column 'name' at row 1", "Data too long for column 'name' at row 1" },
		{ "Table 'tmcred.nope' doesn't exist", "Table 'tmcred.nope' doesn't exist" },
		{ "Cannot add or update a child row: a foreign key constraint fails",
		  "Cannot add or update a child row: a foreign key constraint fails" },
		{ "Truncated incorrect DOUBLE value: 'abc'", "Truncated incorrect DOUBLE value: '…'" },
		{ "cut in a value 'secret", "cut in a value '…'" },
		{ "", "" },
	};
	return cr_make_param_array(struct pair, p, sizeof(p) / sizeof(p[0]));
}

ParameterizedTest(struct pair *p, errtext, values_go_names_stay)
{
	char out[256];
	db_errtext_redact(p->in, out, sizeof(out));
	cr_assert_str_eq(out, p->out);
}

Test(errtext, output_is_cut_and_terminated)
{
	char out[8];
	memset(out, 'x', sizeof(out));
	db_errtext_redact("Duplicate entry 'a@b.cn' for key 'email'", out, sizeof(out));
	cr_assert_eq(strlen(out), 7);
	cr_assert_str_eq(out, "Duplica");
}
