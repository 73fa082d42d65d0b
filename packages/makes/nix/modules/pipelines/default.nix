# options: pipelines.<name> = { gitlabPath (nullOr str, null); jobs (listOf { output; args;
#   gitlabExtra; image; }) }
# outputs: /pipeline/<name>, a script running each job's output (its script, with the job's
#   args) one after another, stopping at the first failure; /pipelineOnGitlab/<name> when
#   gitlabPath is set, a script writing the pipeline as GitLab CI YAML to that file of the project
#   (failing, with the diff, when the file was not up to date). As makes' pipelines module.
{ config, lib, __nixpkgs__, __toModuleOutputs__, attrsMerge, attrsOptional, makeScript
, outputs, toBashArray, toBashMap, toFileYaml, ... }:
let
  jobName = output: args: builtins.concatStringsSep "__" ([ output ] ++ args);

  job = lib.types.submodule {
    options = {
      output = lib.mkOption {
        type = lib.types.str;
        description = "The output the job runs, as \"/name\".";
      };
      args = lib.mkOption {
        type = lib.types.listOf lib.types.str;
        default = [ ];
        description = "Arguments for the output's script.";
      };
      gitlabExtra = lib.mkOption {
        type = lib.types.attrsOf lib.types.anything;
        default = { };
        description = "Merged into the job's GitLab CI definition.";
      };
      image = lib.mkOption {
        type = lib.types.str;
        default = "ghcr.io/fluidattacks/makes:24.12";
        description = "Container image of the GitLab CI job.";
      };
    };
  };

  # One job: a script running `output`'s action (a makeScript's program) with the job's args.
  runJob = { output, args, ... }:
    let name = jobName output args; in {
      inherit name;
      value = makeScript {
        name = "job-for-${name}";
        replace = {
          __argArgs__ = toBashArray args;
          __argOutput__ = outputs.${output} or (throw "pipelines: job '${name}' runs '${output}', which is not an output");
        };
        entrypoint = ./job.sh;
      };
    };

  makePipeline = name: { jobs, ... }: {
    name = "/pipeline/${name}";
    value = makeScript {
      name = "pipeline-for-${name}";
      replace = {
        __argJobs__ = toBashArray (map (j: (runJob j).value) jobs);
        __argNames__ = toBashArray (map (j: (runJob j).name) jobs);
      };
      entrypoint = ./pipeline.sh;
    };
  };

  gitlabJob = { args, gitlabExtra, image, output, ... }: {
    name = jobName output args;
    value = attrsMerge [
      {
        inherit image;
        interruptible = true;
        needs = [ ];
        script = [ ("m . ${output}" + lib.optionalString (args != [ ]) " ${lib.escapeShellArgs args}") ];
        variables = { GIT_DEPTH = 3; MAKES_GIT_DEPTH = 3; };
      }
      gitlabExtra
    ];
  };

  makeGitlab = name: { gitlabPath, jobs, ... }: attrsOptional (gitlabPath != null) {
    name = "/pipelineOnGitlab/${name}";
    value = makeScript {
      name = "pipeline-on-gitlab-for-${name}";
      replace = {
        __argGitlabCiYaml__ = toFileYaml "gitlab-ci.yaml" (builtins.listToAttrs (map gitlabJob jobs));
        __argGitlabPath__ = "." + gitlabPath;
      };
      searchPaths.bin = [ __nixpkgs__.git ];
      entrypoint = ./gitlab.sh;
    };
  };
in
{
  options.pipelines = lib.mkOption {
    type = lib.types.attrsOf (lib.types.submodule {
      options = {
        gitlabPath = lib.mkOption {
          type = lib.types.nullOr lib.types.str;
          default = null;
          description = "Where /pipelineOnGitlab/<name> writes the GitLab CI YAML (\"/.gitlab-ci.yml\"); null: no such output.";
        };
        jobs = lib.mkOption {
          type = lib.types.listOf job;
          default = [ ];
          description = "The jobs, in order.";
        };
      };
    });
    default = { };
    description = "Named lists of outputs to run one after another (and as GitLab CI jobs).";
  };
  config.outputs = attrsMerge [
    (__toModuleOutputs__ makePipeline config.pipelines)
    (__toModuleOutputs__ makeGitlab config.pipelines)
  ];
}
