// the one public door of the domain core
export * from './result.ts';
export * from './schemas.ts';
export * from './commands.ts';
export * from './decide.ts';
export * from './rbac.ts';
export * from './facility.ts';
export * from './labflow.ts';
export * from './order-machine.ts';
export * from './stage-machine.ts';
export * from './slug.ts';
export * from './samplesheet.ts';
export * from './canonical.ts';
export * from './world.ts';
export * from './wire.ts';
export * from './admission.ts';
export * from './reports.ts';
export * from './analyses.ts';
