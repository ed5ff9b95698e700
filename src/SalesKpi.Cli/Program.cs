using System.Text;
using SalesKpi.Cli;

Console.OutputEncoding = Encoding.UTF8;
return CliApp.Run(args, CliEnvironment.ForProcess());
