import { CLOUDS, CloudAdapter } from "../../modules/stacks/clouds";
import { cloudPart } from "../cloud-parts";
import { ModuleDefinition } from "./definition";

/** The folder of each cloud's module list: `tools/registry/clouds/<cloud id>.ts`, its `MODULES` (`[]` when it ships none). */
export const CLOUD_MODULES_FOLDER = "tools/registry/clouds";

/** A registered cloud's standalone Terraform modules, in registry order; a cloud without its file fails, naming it. */
export const cloudModules = (cloud: CloudAdapter): readonly ModuleDefinition[] => cloudPart(cloud, CLOUD_MODULES_FOLDER, "MODULES");

/** Every module `npm run modules:build` writes, in registry order: each registered cloud's, in `CLOUDS` order. */
export const MODULES: readonly ModuleDefinition[] = CLOUDS.flatMap(cloudModules);
