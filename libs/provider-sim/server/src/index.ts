export { startProviderSim, type ProviderSim, type ProviderSimOptions } from './server';
