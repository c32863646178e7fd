# Mirror of .ci/run's dotnet commands.  Usage: pwsh build.ps1 [build|test|bench|train]
# Stops at the first command that fails and exits with its code (PowerShell does not stop on a native command's
# exit code by itself).
param([ValidateSet('build', 'test', 'bench', 'train')][string]$Task = 'test')
$ErrorActionPreference = 'Stop'
Set-Location $PSScriptRoot

function Invoke-Step([string]$Command, [string[]]$Arguments) {
    Write-Host "> $Command $($Arguments -join ' ')"
    & $Command @Arguments
    if ($LASTEXITCODE -ne 0) {
        Write-Host "build.ps1: '$Command $($Arguments -join ' ')' failed with exit code $LASTEXITCODE"
        exit $LASTEXITCODE
    }
}

function Invoke-Build {
    Invoke-Step dotnet @('restore', 'MiniBioBert.sln')
    Invoke-Step dotnet @('build', 'MiniBioBert.sln', '-c', 'Release', '--no-restore')
}

switch ($Task) {
    'build' { Invoke-Build }
    'test'  { Invoke-Build; Invoke-Step dotnet @('test', '-c', 'Release', '--no-build', '--blame') }
    'bench' { Invoke-Step dotnet @('run', '-c', 'Release', '--project', 'Benchmarks', '--', '--filter', '*') }
    'train' { Invoke-Step dotnet @('run', '--project', 'Training', '-c', 'Release') }
}
exit 0
