/**
 * Pure domain rules of the portal. Nothing under src/domain imports from the rest of the app,
 * so other layers adapt their data into these input types.
 */

export * from './vm-status.ts';
export * from './vm-actions.ts';
export * from './flavor-choice.ts';
export * from './os-catalogue.ts';
export * from './image-choice.ts';
export * from './network-choice.ts';
export * from './addresses.ts';
export * from './capacity.ts';
export * from './local-day.ts';
export * from './billing.ts';
export * from './resource-diff.ts';
export * from './masking.ts';
export * from './validation-limits.ts';
export * from './text-order.ts';
