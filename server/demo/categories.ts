// Every ticket category of the demo, in the order of the taxonomy.
import type { CategorySpec } from './catalogue.ts';
import { HARDWARE_CATEGORIES } from './categories-hardware.ts';
import { SERVICE_CATEGORIES } from './categories-services.ts';

export const CATEGORIES: readonly CategorySpec[] = [...HARDWARE_CATEGORIES, ...SERVICE_CATEGORIES];
