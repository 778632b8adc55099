import { setupJest } from "cdktf/lib/testing/adapters/jest";

// cdktf's matchers (toHaveResourceWithProperties, toHaveProviderWithProperties, ...).
// toBeValidTerraform and toPlanSuccessfully need the provider registry and are never used.
setupJest();
