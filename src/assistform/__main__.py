from assistform.cli.main import main

main()
