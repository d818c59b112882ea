#ifndef TM_NAMES_H
#define TM_NAMES_H

/* zh-CN names of the catalogue's enumerations; "" for an unknown value. */
const char *level_name(const char *level);     /* junior → 初级 */
const char *module_name(const char *module);   /* PUB → 公共知识 */
const char *subject_name(const char *subject); /* professional → 专业科目 */

#define LEVEL_CHOICES "junior|intermediate|senior"
#define MODULE_CHOICES "PUB|POL|PRA|ADV"
#define SUBJECT_CHOICES "professional|general"

#endif
