# Thin mirror of .ci/run's dotnet commands.  Usage: ./build.ps1 [build|test|bench|train]
param([ValidateSet('build', 'test', 'bench', 'train')][string]$Task = 'test')
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

switch ($Task) {
    'build' { dotnet restore MiniBioBert.sln; dotnet build MiniBioBert.sln -c Release --no-restore }
    'test'  { dotnet restore MiniBioBert.sln; dotnet build MiniBioBert.sln -c Release --no-restore; dotnet test -c Release --no-build }
    'bench' { dotnet run -c Release --project Benchmarks -- --filter '*' }
    'train' { dotnet run --project Training -c Release }
}
exit $LASTEXITCODE
