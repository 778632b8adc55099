import { AwsSettings } from "../aws/settings";
import { DjangoTopologyProps } from "../django/spec";

/**
 * One environment: the neutral topology plus one section per cloud it is deployed to.
 * A stack `<environment>-<cloud>` is synthesised for each cloud section present.
 */
export interface EnvironmentSpec extends DjangoTopologyProps {
  /** Settings of the AWS stack (`<environment>-aws`). */
  readonly aws?: AwsSettings;
}
