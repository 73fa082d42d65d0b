# options: testLicense.enable (bool, false)
# outputs: /testLicense, running reuse lint in the project
{ config, lib, testLicense, ... }: {
  options.testLicense.enable = lib.mkEnableOption "checking licensing information with reuse lint";
  config.outputs."/testLicense" = lib.mkIf config.testLicense.enable testLicense;
}
