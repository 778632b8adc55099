import { roleScenarios } from "./scenarios";

// One file a version, so that Jest runs the versions side by side.
roleScenarios("17");
