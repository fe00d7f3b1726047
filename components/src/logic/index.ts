// Logic components: rule evaluation with actions.
export { Rules } from './rules.ts';
