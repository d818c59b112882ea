#include "record_inserter.h"

#include <signal.h>
#include <stdlib.h>

static enum db_rc
run_insert(struct db *d, struct rec_rows *j, uint64_t *aff)
{
	struct db_bulk_col cols[] = {
		{ DB_T_I64, j->person, NULL, NULL }, { DB_T_I64, j->course, NULL, NULL },
		{ DB_T_I64, j->base, NULL, NULL }, { DB_T_I64, j->hours, NULL, NULL },
		{ DB_T_STR, j->day, j->lday, NULL }, { DB_T_STR, j->subject, j->lsub, NULL },
		{ DB_T_I64, j->comp, NULL, NULL }, { DB_T_STR, j->ref, j->lref, NULL },
		{ DB_T_BLOB, j->key, j->lkey, NULL }, { DB_T_I64, j->batch, NULL, NULL },
		{ DB_T_I64, j->actor, NULL, j->noactor },
	};
	return db_exec_bulk(d, "INSERT INTO training_records (person_id, course_id,"
	    " base_id, hours_x2, completed_on, subject, compulsory, source, source_ref, natural_key,"
	    " batch_id, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, 'batch', ?, ?, ?, ?)", cols,
	    DB_N(cols), j->k, aff);
}

static void *
inserter_main(void *arg)
{
	struct rec_inserter *w = arg;
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (w->job == NULL && !w->quit)
			pthread_cond_wait(&w->cv, &w->mu);
		if (w->job == NULL)
			break;
		struct rec_rows *j = w->job;
		pthread_mutex_unlock(&w->mu);
		uint64_t aff = 0;
		enum db_rc rc = run_insert(w->db, j, &aff);
		pthread_mutex_lock(&w->mu);
		w->stored += aff;
		if (w->rc == DB_OK)
			w->rc = rc;
		w->job = NULL;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

static bool
start(struct rec_inserter *w)
{
	for (int i = 0; i < 2; i++)
		if ((w->buf[i] = malloc(sizeof(struct rec_rows))) == NULL)
			return false;
	if (pthread_mutex_init(&w->mu, NULL) != 0)
		return false;
	if (pthread_cond_init(&w->cv, NULL) != 0) {
		pthread_mutex_destroy(&w->mu);
		return false;
	}
	/* signals stay with the worker's main thread (its handlers only set flags) */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int e = pthread_create(&w->th, NULL, inserter_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (e != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		return false;
	}
	w->up = true;
	return true;
}

struct rec_rows *
rec_inserter_buffer(struct rec_inserter *w, struct db *d)
{
	if (!w->up) {
		w->db = d;
		if (!start(w))
			return NULL;
	}
	/* the other buffer may still be in flight; this one is free since the last hand-over */
	return w->buf[w->next];
}

enum db_rc
rec_inserter_sync(struct rec_inserter *w)
{
	if (!w->up)
		return DB_OK;
	pthread_mutex_lock(&w->mu);
	while (w->job != NULL)
		pthread_cond_wait(&w->cv, &w->mu);
	enum db_rc rc = w->rc;
	w->rc = DB_OK;
	pthread_mutex_unlock(&w->mu);
	return rc;
}

enum db_rc
rec_inserter_submit(struct rec_inserter *w, struct rec_rows *j)
{
	enum db_rc rc = rec_inserter_sync(w);
	if (rc != DB_OK)
		return rc;
	pthread_mutex_lock(&w->mu);
	w->job = j;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	w->next ^= 1;
	return DB_OK;
}

void
rec_inserter_stop(struct rec_inserter *w)
{
	if (w->up) {
		pthread_mutex_lock(&w->mu);
		while (w->job != NULL)
			pthread_cond_wait(&w->cv, &w->mu);
		w->quit = true;
		pthread_cond_broadcast(&w->cv);
		pthread_mutex_unlock(&w->mu);
		pthread_join(w->th, NULL);
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		w->up = false;
	}
	free(w->buf[0]);
	free(w->buf[1]);
	w->buf[0] = w->buf[1] = NULL;
}
