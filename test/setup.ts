import { setupJest } from "cdktf/lib/testing/adapters/jest";
import { skipTokenStackTraces } from "../modules/stacks/fast-synth";

// cdktf's matchers (toHaveResourceWithProperties, toHaveProviderWithProperties, ...).
// toBeValidTerraform and toPlanSuccessfully need the provider registry and are never used.
setupJest();

// Tests are hermetic: an operator's Terraform Cloud settings or stack selection in the
// shell would otherwise change what every synthesised stack looks like. Tests that need
// them pass an explicit `env`.
for (const name of ["TF_CLOUD_ORGANIZATION", "TFC_ORGANIZATION", "TF_CLOUD_HOSTNAME", "TF_CLOUD_PROJECT", "CLOUDTIERS_STACKS"]) delete process.env[name];

// Tests build and synthesise stacks the way main.ts does: without cdktf's token stack
// traces (test/stacks/fast-synth.test.ts proves what that changes and what it keeps).
skipTokenStackTraces();
