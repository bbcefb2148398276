/** @silk/estate: start and stop the demo estate (`startEstate`), as `./silk start` and the end-to-end tests do. */
export { FIXED_PORTS, SENTINEL_DASHBOARD, startEstate, type Estate, type EstateOptions, type EstatePorts } from './estate.js';
export { EstateProcess, startProcess, waitHealthy, type ProcessSpec } from './processes.js';
