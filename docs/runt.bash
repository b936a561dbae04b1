# bash completion for runt(1): commands, runt run's options, and files or directories where an
# option takes one. Installed by `make install` into share/bash-completion/completions/runt.

_runt() {
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local commands="run create start state kill delete rm stop logs list ps pause resume features spec update events exec help"
    local run_opts="--rootfs --name --hostname --env -e --env-file --workdir -w --user -u --net --volume -v
        --tmpfs --mount --read-only --pids-limit --memory -m --cpus --cap-add --cap-drop --privileged --ulimit
        --oom-score-adj --device --security-opt --userns --uidmap --gidmap --tty -t --interactive -i --init --detach -d --rm --help"
    local i command=
    for ((i = 1; i < COMP_CWORD; i++)); do
        case ${COMP_WORDS[i]} in
            --root | --log | --log-format | --cgroup-manager) ((i++)) ;;
            -*) ;;
            *) command=${COMP_WORDS[i]}; break ;;
        esac
    done
    if [ -z "$command" ]; then
        case $prev in
            --root) COMPREPLY=($(compgen -d -- "$cur")); return ;;
            --log) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        esac
        COMPREPLY=($(compgen -W "$commands --root --log --log-format --systemd-cgroup --help --version" -- "$cur"))
        return
    fi
    case $command in
        run)
            case $prev in
                --rootfs | --workdir | -w) COMPREPLY=($(compgen -d -- "$cur")); return ;;
                --env-file | --volume | -v | --device) COMPREPLY=($(compgen -f -- "$cur")); return ;;
                --net) COMPREPLY=($(compgen -W "none host" -- "$cur")); return ;;
                --mount) COMPREPLY=($(compgen -W "type=bind, type=tmpfs," -- "$cur")); compopt -o nospace; return ;;
                --name | --hostname | --env | -e | --user | -u | --tmpfs | --pids-limit | --memory | -m | --cpus | \
                    --cap-add | --cap-drop | --ulimit | --oom-score-adj | --security-opt | --uidmap | --gidmap) return ;;
            esac
            if [[ $cur == -* ]]; then
                COMPREPLY=($(compgen -W "$run_opts" -- "$cur"))
            else
                COMPREPLY=($(compgen -c -- "$cur"))
            fi
            ;;
        help) COMPREPLY=($(compgen -W "$commands" -- "$cur")) ;;
        logs) COMPREPLY=($(compgen -W "--follow -f" -- "$cur")) ;;
        stop) COMPREPLY=($(compgen -W "--time -t" -- "$cur")) ;;
        create) COMPREPLY=($(compgen -W "--bundle --console-socket --pid-file --no-pivot --no-new-keyring" -- "$cur")) ;;
        *) ;;
    esac
}
complete -F _runt runt
