/* Control for bench/http.sh: the reference kit's hello (../shared/bench/ref/hello.c) with a
 * Content-Length header, as tmcred's answers have. Without one nginx sends the kit's hello in
 * chunked transfer encoding; this variant tells that framing difference apart from tmcred's
 * own cost. Run under spawn-fcgi (listen socket on fd 0), like the kit's hello. */
#include <fcgiapp.h>

int main(void)
{
	static const char reply[] = "Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nok";
	FCGX_Request req;

	if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
		return 1;
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(reply, sizeof reply - 1, req.out);
		FCGX_Finish_r(&req);
	}
	return 0;
}
