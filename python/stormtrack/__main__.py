from stormtrack.cli import main

main()
