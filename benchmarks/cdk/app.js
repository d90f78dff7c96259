// N instances, each with its own role and the same inline policy, IMDSv2 required, as AWS CDK
// 2.276 writes them; synthesized as `cdk synth` would (node app.js, N from the environment).
// The yardstick of benchmarks/scaling.py: it times `node app.js` as a whole process.
const cdk = require("aws-cdk-lib");
const ec2 = require("aws-cdk-lib/aws-ec2");
const iam = require("aws-cdk-lib/aws-iam");

const n = Number(process.env.N || "1");
// CloudFormation allows 500 resources a stack, and CDK refuses more unless told: 100 instances
// are 600 (CDK adds a security group and a launch template to each).
const app = new cdk.App({
  outdir: process.env.CDK_OUT || "cdk.out",
  context: { "@aws-cdk/core:stackResourceLimit": 0 },
});
const stack = new cdk.Stack(app, "Scaling", {
  env: { account: "123456789012", region: "us-east-1" },
});
// A VPC known by its attributes: no lookup, as our mocks answer lookups without AWS.
const vpc = ec2.Vpc.fromVpcAttributes(stack, "Vpc", {
  vpcId: "vpc-0123456789abcdef0",
  availabilityZones: ["us-east-1a"],
  publicSubnetIds: ["subnet-0123456789abcdef0"],
});
for (let i = 0; i < n; i++) {
  const role = new iam.Role(stack, `app${i}-role`, {
    assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
  });
  role.addToPolicy(
    new iam.PolicyStatement({
      actions: ["s3:GetObject"],
      resources: ["arn:aws:s3:::my-app-data/*"],
    }),
  );
  new ec2.Instance(stack, `app${i}`, {
    vpc,
    instanceType: new ec2.InstanceType("t3.micro"),
    machineImage: ec2.MachineImage.latestAmazonLinux2023(),
    requireImdsv2: true,
    role,
  });
}
app.synth();
