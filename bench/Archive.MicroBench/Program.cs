using BenchmarkDotNet.Running;

// Micro-benchmarks of hot paths. Examples:
//   dotnet run -c Release --project bench/Archive.MicroBench -- --filter '*' --job short
//   dotnet run -c Release --project bench/Archive.MicroBench -- --filter '*Hashing*'
// On a heavily loaded machine add --inProcess: BenchmarkDotNet otherwise builds a generated project per run, and its
// 2-minute build timeout can expire.
// BenchmarkDotNet prints its result table at the end (and writes BenchmarkDotNet.Artifacts/results/*.md).
BenchmarkSwitcher.FromAssembly(typeof(Archive.MicroBench.AnalyzerBenchmarks).Assembly).Run(args);
